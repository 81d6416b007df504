namespace Homeserver.Testing;

/// <summary>
/// What the bridge test needs from outside .NET: <c>node</c> on PATH and npm's matrix-appservice installed by
/// <c>tests/bridge.sh</c>. Without them the test fails naming what is missing rather than skipping, like
/// <see cref="TestS3"/> and <see cref="Ffmpeg"/>.
/// </summary>
public static class TestNodeBridge
{
    public const string EnvVar = "HOMESERVER_TEST_BRIDGE";

    public static string Node =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "node"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("node (Node.js 20 or later) is not on PATH; the bridge test runs a bridge on it (tests/run.sh installs it, Debian package nodejs).");

    /// <summary>The node_modules folder holding matrix-appservice.</summary>
    public static string Modules
    {
        get
        {
            var modules = Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } set
                ? set
                : throw new InvalidOperationException($"{EnvVar} is not set, so the npm package matrix-appservice is missing: run the suite with tests/run.sh, which installs it, or run tests/bridge.sh install DIR and set {EnvVar} to the folder it prints.");
            return File.Exists(Path.Combine(modules, "matrix-appservice", "package.json"))
                ? modules
                : throw new InvalidOperationException($"the npm package matrix-appservice is not installed in {EnvVar} ({modules}): run tests/bridge.sh install DIR and set {EnvVar} to the folder it prints.");
        }
    }
}
