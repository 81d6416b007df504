using System.Text.Json;
using Homeserver.Bench;
using Homeserver.Host;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Bench;

/// <summary>
/// The benchmark at tiny sizes, so it keeps running as the server changes: every scenario reports, nothing is
/// lost, and the JSON, table and plots are written. It asserts completeness, never a time.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class BenchSmokeTests
{
    [Fact]
    public async Task TinyRun_WritesEveryScenarioWithZeroLoss()
    {
        var output = Directory.CreateTempSubdirectory("hs-bench-smoke-").FullName;
        var options = BenchOptions.Tiny with { ServerDll = typeof(HomeserverApp).Assembly.Location, OutputDir = output };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var files = await BenchRunner.RunAsync(options, timeout.Token);

        var json = JsonDocument.Parse(await File.ReadAllTextAsync(files.Single(f => f.EndsWith(".json", StringComparison.Ordinal)))).RootElement;
        var scenarios = json.GetProperty("measurements").EnumerateArray().Select(m => m.GetProperty("scenario").GetString()!).ToHashSet();
        foreach (var expected in new[]
        {
            "storage baseline", "cold start", "latency 1:1 long polling", "latency 1:1 WebSocket", "latency 1:1 half and half",
            "latency fan-out long polling", "latency fan-out WebSocket", "latency fan-out half and half", "throughput",
            "memory long polling", "memory WebSocket", "media",
        })
            Assert.Contains(expected, scenarios);
        Assert.Contains(scenarios, s => s.StartsWith("initial sync", StringComparison.Ordinal));
        Assert.Equal(2, json.GetProperty("measurements").EnumerateArray().Count(m => m.GetProperty("scenario").GetString() == "cold start"));

        var latencyRuns = json.GetProperty("details").GetProperty("latency").EnumerateObject()
            .SelectMany(run => new[] { run.Value.GetProperty("homeserver"), run.Value.GetProperty("baseline") })
            .ToList();
        Assert.Equal(2 * 3 * 2, latencyRuns.Count);
        var throughputSteps = json.GetProperty("details").GetProperty("throughput").GetProperty("steps").EnumerateArray().ToList();
        Assert.NotEmpty(throughputSteps);
        foreach (var d in latencyRuns.Concat(throughputSteps))
        {
            Assert.Equal(0, d.GetProperty("lost").GetInt64());
            Assert.Equal(0, d.GetProperty("send_errors").GetInt64());
            Assert.True(d.GetProperty("delivered").GetInt64() > 0);
            Assert.Equal(d.GetProperty("expected_deliveries").GetInt64(), d.GetProperty("delivered").GetInt64());
        }
        var federation = json.GetProperty("details").GetProperty("federation");
        var federatedRuns = new[] { federation.GetProperty("latency across servers"), federation.GetProperty("latency within the sending server") }
            .Concat(federation.GetProperty("steps across servers").EnumerateArray())
            .Concat(federation.GetProperty("steps within the sending server").EnumerateArray())
            .ToList();
        foreach (var d in federatedRuns)
        {
            Assert.Equal(0, d.GetProperty("lost").GetInt64());
            Assert.Equal(0, d.GetProperty("duplicates").GetInt64());
            Assert.True(d.GetProperty("delivered").GetInt64() > 0);
        }
        Assert.Contains(json.GetProperty("measurements").EnumerateArray(), m =>
            m.GetProperty("scenario").GetString() == "federation throughput" && m.GetProperty("value").GetDouble() > 0);
        var cluster = json.GetProperty("details").GetProperty("cluster");
        var clusterRuns = new[] { cluster.GetProperty("latency across nodes"), cluster.GetProperty("latency within one node") }
            .Concat(new[] { "one node", "2 nodes", "3 nodes" }.SelectMany(n => cluster.GetProperty($"steps on {n}").EnumerateArray()))
            .ToList();
        foreach (var d in clusterRuns)
        {
            Assert.Equal(0, d.GetProperty("lost").GetInt64());
            Assert.Equal(0, d.GetProperty("duplicates").GetInt64());
            Assert.True(d.GetProperty("delivered").GetInt64() > 0);
        }
        Assert.Equal(3, json.GetProperty("measurements").EnumerateArray().Count(m => m.GetProperty("scenario").GetString() == "cluster throughput"));
        var sendsOnlySteps = json.GetProperty("details").GetProperty("throughput").GetProperty("sends-only steps").EnumerateArray().ToList();
        Assert.NotEmpty(sendsOnlySteps);
        foreach (var d in sendsOnlySteps)
        {
            Assert.Equal(0, d.GetProperty("send_errors").GetInt64());
            Assert.Equal(0, d.GetProperty("expected_deliveries").GetInt64());
            Assert.True(d.GetProperty("server_cpu_us_per_send").GetDouble() > 0);
        }
        Assert.Contains(json.GetProperty("measurements").EnumerateArray(), m => m.GetProperty("metric").GetString() == "highest sustained send rate, no receivers");
        Assert.Empty(json.GetProperty("notes").EnumerateArray());

        Assert.Contains(files, f => f.EndsWith(".md", StringComparison.Ordinal) && File.ReadAllText(f).Contains("| latency 1:1 WebSocket | p50 |", StringComparison.Ordinal));
        var plots = files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, plots.Count);
        foreach (var png in plots)
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await File.ReadAllBytesAsync(png)).Take(4).ToArray());
        Directory.Delete(output, recursive: true);
    }
}
