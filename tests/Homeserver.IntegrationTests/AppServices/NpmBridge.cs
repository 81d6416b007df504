using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Homeserver.Testing;

namespace Homeserver.IntegrationTests.AppServices;

/// <summary>
/// The relay bridge of <c>tests/bridge/bridge.cjs</c>, built on npm's matrix-appservice, as a node process: its
/// stdout lines (JSON) are what it passes on to its "remote network", its stdin what comes from there.
/// </summary>
public sealed class NpmBridge : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Channel<JsonElement> _lines = Channel.CreateUnbounded<JsonElement>();
    private readonly List<string> _errors = [];

    private NpmBridge(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
                _lines.Writer.TryWrite(JsonDocument.Parse(line).RootElement.Clone());
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (_errors)
                    _errors.Add(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private static string Script => Path.Combine(RepositoryPaths.Root, "tests", "bridge", "bridge.cjs");

    private static ProcessStartInfo Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(TestNodeBridge.Node)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["NODE_PATH"] = TestNodeBridge.Modules;
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>The bridge writes its registration file, as bridges generate theirs for the operator.</summary>
    public static async Task GenerateRegistrationAsync(string file, Uri bridgeUrl)
    {
        using var process = Process.Start(Start("register", file, bridgeUrl.ToString().TrimEnd('/'), TestHomeserver.ServerName))!;
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Patience);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"bridge.cjs register failed: {await errors}");
    }

    /// <summary>Starts the bridge on <paramref name="port"/> and waits until it listens.</summary>
    public static async Task<NpmBridge> RunAsync(string registrationFile, Uri homeserver, int port)
    {
        var bridge = new NpmBridge(Process.Start(Start("run", registrationFile, homeserver.ToString().TrimEnd('/'),
            port.ToString(System.Globalization.CultureInfo.InvariantCulture), TestHomeserver.ServerName))!);
        await bridge.NextAsync(l => l.TryGetProperty("ready", out _));
        return bridge;
    }

    /// <summary>A message from the remote network for the bridge to relay into the room.</summary>
    public async Task RelayAsync(string roomId, string from, string text)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(new { room_id = roomId, from, text }));
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The next line the bridge prints that <paramref name="match"/> accepts; an <c>error</c> line fails at once.</summary>
    public async Task<JsonElement> NextAsync(Func<JsonElement, bool> match)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(timeout.Token);
                if (line.TryGetProperty("error", out var error))
                    throw new InvalidOperationException($"the bridge failed: {error}");
                if (match(line))
                    return line;
            }
        }
        catch (OperationCanceledException)
        {
            lock (_errors)
                throw new TimeoutException($"the bridge printed nothing expected within {Patience.TotalSeconds} s; its stderr: {string.Join('\n', _errors)}");
        }
    }

    /// <summary>Every line printed so far and not yet read.</summary>
    public List<JsonElement> Drain()
    {
        var lines = new List<JsonElement>();
        while (_lines.Reader.TryRead(out var line))
            lines.Add(line);
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
