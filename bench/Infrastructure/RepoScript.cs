using System.Diagnostics;

namespace Homeserver.Bench.Infrastructure;

/// <summary>The test suite's scripts that start and stop a throwaway component (tests/postgres.sh, tests/redis.sh).</summary>
public static class RepoScript
{
    /// <returns>What the script printed on stdout (a connection string, an address).</returns>
    public static async Task<string> RunAsync(string repoRoot, string script, string command, string dir, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(repoRoot, "tests", script));
        psi.ArgumentList.Add(command);
        psi.ArgumentList.Add(dir);
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"tests/{script} {command} failed with {p.ExitCode}");
        return output;
    }
}
