using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Federation.Discovery;
using Homeserver.Core.Federation.Keys;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// The notary's query endpoint is public, so an attacker can name hundreds of servers in one request. What that makes
/// us do is bounded: few fetches, few at once, for a short while. RELIABILITY.md has no row for the notary; this is its
/// "F8 slow/hostile remote" (a remote that accepts TCP and never answers) and "52 DoS" (a flood from one origin) applied
/// to the one federation endpoint that takes no X-Matrix.
/// </summary>
public sealed class NotaryFanOutTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    /// <summary>
    /// Every server named is unknown and its keys are asked for; each is delegated (by well-known, the first step of
    /// discovery) to one loopback address that either never answers or refuses connections. The answer holds what is
    /// known (our own key) and comes long before one hanging fetch would time out; no more servers were fetched than
    /// the bound, and never more than eight at once.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AQueryNamingManyServersThatDoNotExist_AnswersPromptly_AndFetchesNoMoreThanItsBound(bool remotesHang)
    {
        using var silent = SilentListener.Start();
        var wellKnown = new DelegatingWellKnown(remotesHang ? $"127.0.0.1:{silent.Port}" : $"127.0.0.1:{TestPorts.Free()}");
        await using var notary = await FederationTestServers.StartAsync("sqlite", _ca,
            configureBuilder: b => b.Services.AddSingleton<IWellKnownSource>(wellKnown));
        var servers = new JsonObject { [notary.Options.ServerName] = new JsonObject() };
        for (var i = 0; i < KeyQueryService.MaxServers - 1; i++)
            servers[$"s{i}.invalid"] = new JsonObject { ["ed25519:a"] = new JsonObject() };

        var clock = Stopwatch.StartNew();
        using var response = await notary.Client.PostAsJsonAsync("/_matrix/key/v2/query", new JsonObject { ["server_keys"] = servers });
        clock.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var keys = (await response.Content.ReadFromJsonAsync<JsonObject>())!["server_keys"]!.AsArray();
        Assert.Equal(notary.Options.ServerName, Assert.Single(keys)!["server_name"]!.GetValue<string>());
        // Well under one hanging fetch's request timeout, which a query without the bound waits out; the budget itself is
        // no bound to assert, since a loaded machine answers some seconds after it (14 s in one full test run).
        Assert.True(clock.Elapsed < notary.Options.Federation.RequestTimeout.Value / 2, $"answered after {clock.Elapsed}");
        if (remotesHang)
        {
            // Each fetch holds its slot until the budget runs out, so only the first eight ever start.
            Assert.InRange(wellKnown.Asked.Count, 1, KeyQueryService.MaxFetchedServers);
            Assert.InRange(silent.MostOpenAtOnce, 1, 8);
            Assert.True(silent.Accepted <= wellKnown.Asked.Count, $"{silent.Accepted} connections for {wellKnown.Asked.Count} servers");
            // Closed before the server stops, so the fetches still waiting end as a remote hanging up, not a teardown.
            silent.Dispose();
        }
        else
            Assert.Equal(KeyQueryService.MaxFetchedServers, wellKnown.Asked.Count);
    }

    [Fact]
    public async Task Queries_AreRateLimitedPerAddress_InMatrixShape()
    {
        await using var notary = await FederationTestServers.StartAsync("sqlite", _ca,
            o => o.RateLimits = new RateLimitsOptions { KeyQuery = new RateLimitOptions { PerSecond = 0.001, BurstCount = 2 } });
        var path = $"/_matrix/key/v2/query/{notary.Options.ServerName}";
        for (var i = 0; i < 2; i++)
            (await notary.Client.GetAsync(path)).EnsureSuccessStatusCode();

        using var limited = await notary.Client.PostAsJsonAsync("/_matrix/key/v2/query",
            new JsonObject { ["server_keys"] = new JsonObject { [notary.Options.ServerName] = new JsonObject() } });
        var error = await limited.AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        Assert.True(error.GetProperty("retry_after_ms").GetInt64() > 0);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    public void Dispose() => _ca.Dispose();

    /// <summary>Discovery's well-known step, answering every name with one delegate and recording the names asked.</summary>
    private sealed class DelegatingWellKnown(string delegateTo) : IWellKnownSource
    {
        public ConcurrentDictionary<string, bool> Asked { get; } = new();

        public Task<WellKnownAnswer> FetchAsync(string hostname, CancellationToken ct)
        {
            Asked[hostname] = true;
            return Task.FromResult(new WellKnownAnswer(delegateTo, TimeSpan.FromHours(1)));
        }
    }

    /// <summary>A remote that accepts connections and never says a word, counting them.</summary>
    private sealed class SilentListener : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentBag<TcpClient> _held = [];
        private readonly Lock _gate = new();
        private int _open;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public int Accepted => _held.Count;
        public int MostOpenAtOnce { get; private set; }

        public static SilentListener Start()
        {
            var listener = new SilentListener();
            listener._listener.Start();
            _ = listener.AcceptAsync();
            return listener;
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync();
                    _held.Add(client);
                    lock (_gate)
                        MostOpenAtOnce = Math.Max(MostOpenAtOnce, ++_open);
                    _ = WatchAsync(client);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        /// <summary>Counts the connection closed once its client gives up.</summary>
        private async Task WatchAsync(TcpClient client)
        {
            try
            {
                var buffer = new byte[4096];
                while (await client.GetStream().ReadAsync(buffer) > 0)
                {
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // Closed.
            }
            lock (_gate)
                _open--;
        }

        public void Dispose()
        {
            _listener.Stop();
            foreach (var client in _held)
                client.Dispose();
        }
    }
}
