using Homeserver.Core.Configuration;
using Homeserver.Host.Configuration;

namespace Homeserver.Host.Cli;

internal static class ConfigFileLoading
{
    /// <summary>Loads the config or prints why it can't be used; the exit code is 2 for a bad config.</summary>
    public static bool TryLoad(string path, out HomeserverOptions options)
    {
        try
        {
            options = ConfigLoader.LoadFile(path);
            return true;
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"{path}: {e.Message}");
            options = null!;
            return false;
        }
    }

    public const int BadConfigExitCode = 2;
}
