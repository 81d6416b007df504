namespace Homeserver.Bench.Infrastructure;

/// <summary>A server under test ended while the bench still needed it: its exit code and last output say why.</summary>
public sealed class ChildExitedException(string name, int pid, int exitCode, IEnumerable<string> lastOutput)
    : Exception($"{name} (pid {pid}) exited with code {exitCode} while the bench still used it; its last output:\n{string.Join('\n', lastOutput)}")
{
    public int ExitCode { get; } = exitCode;
}
