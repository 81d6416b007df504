using Homeserver.Core.Federation.Discovery;
using Xunit;

namespace Homeserver.UnitTests.Federation;

/// <summary>The spec's "Resolving server names", step by step, with DNS and well-known answers made up.</summary>
public sealed class ServerResolverTests
{
    private readonly FakeWellKnown _wellKnown = new();
    private readonly FakeDns _dns = new();
    private readonly ManualTime _time = new();

    private ServerResolver Resolver() => new(_wellKnown, _dns, _time);

    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4", 8448, "1.2.3.4")]
    [InlineData("1.2.3.4:8000", "1.2.3.4", 8000, "1.2.3.4:8000")]
    [InlineData("[2001:db8::1]", "[2001:db8::1]", 8448, "[2001:db8::1]")]
    [InlineData("[2001:db8::1]:9000", "[2001:db8::1]", 9000, "[2001:db8::1]:9000")]
    [InlineData("example.org:8449", "example.org", 8449, "example.org:8449")]
    public async Task LiteralOrExplicitPort_IsUsedAsIs_WithoutWellKnownOrSrv(string name, string host, int port, string hostHeader)
    {
        _dns.Records["_matrix-fed._tcp.example.org"] = new("srv.example.org", 1);
        var target = await Resolver().ResolveAsync(name, default);
        Assert.Equal(new Uri($"https://{host}:{port}/x"), target.UriFor("/x"));
        Assert.Equal(hostHeader, target.HostHeader);
        Assert.Empty(_wellKnown.Asked);
        Assert.Empty(_dns.Asked);
    }

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1", 8448, "10.0.0.1")]
    [InlineData("10.0.0.1:1234", "10.0.0.1", 1234, "10.0.0.1:1234")]
    [InlineData("[::1]:1234", "[::1]", 1234, "[::1]:1234")]
    [InlineData("matrix.example.net:443", "matrix.example.net", 443, "matrix.example.net:443")]
    public async Task Delegation_ToLiteralOrPort_IsUsedAsIs(string delegated, string host, int port, string hostHeader)
    {
        _wellKnown.Answers["example.org"] = new(delegated, TimeSpan.FromHours(1));
        var target = await Resolver().ResolveAsync("example.org", default);
        Assert.Equal(new Uri($"https://{host}:{port}/x"), target.UriFor("/x"));
        Assert.Equal(hostHeader, target.HostHeader);
        Assert.Empty(_dns.Asked);
    }

    [Fact]
    public async Task Delegation_WithoutPort_LooksUpSrvOfTheDelegate_KeepingItsName()
    {
        _wellKnown.Answers["example.org"] = new("matrix.example.net", TimeSpan.FromHours(1));
        _dns.Records["_matrix-fed._tcp.matrix.example.net"] = new("fed1.example.net", 8500);
        var target = await Resolver().ResolveAsync("example.org", default);
        Assert.Equal(new Uri("https://fed1.example.net:8500/x"), target.UriFor("/x"));
        Assert.Equal("matrix.example.net", target.HostHeader);
    }

    [Fact]
    public async Task Delegation_WithoutSrv_FallsBackToDeprecatedSrvThenPort8448()
    {
        _wellKnown.Answers["example.org"] = new("matrix.example.net", TimeSpan.FromHours(1));
        _dns.Records["_matrix._tcp.matrix.example.net"] = new("old.example.net", 8001);
        var resolver = Resolver();
        Assert.Equal(new Uri("https://old.example.net:8001/"), (await resolver.ResolveAsync("example.org", default)).UriFor("/"));
        Assert.Equal(["_matrix-fed._tcp.matrix.example.net", "_matrix._tcp.matrix.example.net"], _dns.Asked);

        _dns.Records.Clear();
        var target = await resolver.ResolveAsync("example.org", default);
        Assert.Equal(new Uri("https://matrix.example.net:8448/"), target.UriFor("/"));
        Assert.Equal("matrix.example.net", target.HostHeader);
    }

    [Fact]
    public async Task NoWellKnown_UsesSrvOfTheName_ThenPort8448()
    {
        _dns.Records["_matrix-fed._tcp.example.org"] = new("fed.example.org", 443);
        var srv = await Resolver().ResolveAsync("example.org", default);
        Assert.Equal(new Uri("https://fed.example.org:443/"), srv.UriFor("/"));
        Assert.Equal("example.org", srv.HostHeader);

        _dns.Records.Clear();
        var plain = await new ServerResolver(_wellKnown, _dns, _time).ResolveAsync("example.org", default);
        Assert.Equal(new Uri("https://example.org:8448/"), plain.UriFor("/"));
        Assert.Equal("example.org", plain.HostHeader);
    }

    [Fact]
    public async Task WellKnown_IsCachedForAsLongAsItSays()
    {
        _wellKnown.Answers["example.org"] = new("a.example.net:1", TimeSpan.FromHours(3));
        var resolver = Resolver();
        await resolver.ResolveAsync("example.org", default);
        _wellKnown.Answers["example.org"] = new("b.example.net:1", TimeSpan.FromHours(3));
        _time.Now += TimeSpan.FromHours(2);
        Assert.Equal("a.example.net:1", (await resolver.ResolveAsync("example.org", default)).HostHeader);
        _time.Now += TimeSpan.FromHours(1);
        Assert.Equal("b.example.net:1", (await resolver.ResolveAsync("example.org", default)).HostHeader);
        Assert.Equal(2, _wellKnown.Asked.Count);
    }

    [Fact]
    public async Task WellKnownFailures_AreCached_WithABackoffThatDoublesUpToAnHour()
    {
        var resolver = Resolver();
        await resolver.ResolveAsync("example.org", default);
        var waits = new List<int>();
        var last = _time.Now;
        while (waits.Count < 8)
        {
            _time.Now += TimeSpan.FromSeconds(30);
            var asked = _wellKnown.Asked.Count;
            await resolver.ResolveAsync("example.org", default);
            if (_wellKnown.Asked.Count == asked)
                continue;
            waits.Add((int)(_time.Now - last).TotalMinutes);
            last = _time.Now;
        }
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], waits);
    }

    [Theory]
    [InlineData("not a name")]
    [InlineData("example.org:0")]
    [InlineData("")]
    public async Task InvalidName_IsRefused(string name) =>
        await Assert.ThrowsAsync<ArgumentException>(() => Resolver().ResolveAsync(name, default));

    private sealed class FakeWellKnown : IWellKnownSource
    {
        public Dictionary<string, WellKnownAnswer> Answers { get; } = [];
        public List<string> Asked { get; } = [];

        public Task<WellKnownAnswer> FetchAsync(string hostname, CancellationToken ct)
        {
            Asked.Add(hostname);
            return Task.FromResult(Answers.GetValueOrDefault(hostname, WellKnownAnswer.Failed));
        }
    }

    private sealed class FakeDns : IServerDns
    {
        public Dictionary<string, SrvTarget> Records { get; } = [];
        public List<string> Asked { get; } = [];

        public Task<SrvTarget?> FindSrvAsync(string name, CancellationToken ct)
        {
            Asked.Add(name);
            return Task.FromResult(Records.GetValueOrDefault(name));
        }
    }

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
