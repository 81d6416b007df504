using Homeserver.Core.Configuration;
using Homeserver.Testing;

namespace Homeserver.IntegrationTests.Observability;

/// <summary>A test server with its metrics listener on a free loopback port, and a client of that listener.</summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    private MetricsServer(TestHomeserver server, HttpClient metrics)
    {
        Server = server;
        Metrics = metrics;
    }

    public TestHomeserver Server { get; }
    public HttpClient Metrics { get; }

    public static async Task<MetricsServer> StartAsync(string engine)
    {
        var port = TestPorts.Free();
        var server = await TestHomeserver.StartAsync(engine, o => o.Metrics = new MetricsOptions { Enabled = true, Port = port });
        return new MetricsServer(server, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) });
    }

    public Task<PrometheusScrape> ScrapeAsync(string path = "/metrics") => PrometheusScrape.ScrapeAsync(Metrics, path);

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await Server.DisposeAsync();
    }
}
