using System.CommandLine;
using Homeserver.Core.Keys;

namespace Homeserver.Host.Cli;

internal static class GenerateSigningKeyCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file (refuses to overwrite) instead of standard output" };
        var cmd = new Command("generate-signing-key", "Create an Ed25519 signing key in Synapse's file format") { output };
        cmd.SetAction(async (parse, ct) =>
        {
            using var key = SigningKey.Generate();
            var path = parse.GetValue(output);
            if (path is null)
            {
                Console.Write(key.ToFileFormat());
                return 0;
            }
            if (File.Exists(path))
            {
                Console.Error.WriteLine($"{path} already exists; not overwriting a signing key");
                return 1;
            }
            await File.WriteAllTextAsync(path, key.ToFileFormat(), ct);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Console.WriteLine($"wrote {key.KeyId} to {path}");
            return 0;
        });
        return cmd;
    }
}
