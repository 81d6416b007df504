using System.Net.Sockets;
using Homeserver.Core.Storage;

namespace Homeserver.Host.Cli;

/// <summary>
/// What stops a start that the operator can fix (a file, a port, the schema): reported in one line that names
/// the file or setting, without a stack trace, and exit code 1.
/// </summary>
internal static class StartupFailure
{
    public const int ExitCode = 1;

    public static bool IsOperatorFixable(Exception e) =>
        e is MigrationException or IOException or InvalidDataException or UnauthorizedAccessException or SocketException;

    public static int Report(Exception e)
    {
        Console.Error.WriteLine($"cannot start: {e.Message}");
        return ExitCode;
    }
}
