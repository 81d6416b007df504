using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Media.Remote;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using SixLabors.ImageSharp;
using Xunit;
using static Homeserver.IntegrationTests.Media.MediaThumbnailTests;
using static Homeserver.IntegrationTests.Media.MediaUploadTests;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Media across two servers of ours: a user of one downloads and thumbnails media uploaded on the other through their
/// own server, which fetches it over federation (multipart answers, spec v1.11), caches it (served with the origin
/// stopped), caps the cache by evicting the least recently accessed, refuses oversize media while it streams, and turns
/// a garbage answer into a clean error with nothing stored.
/// </summary>
public sealed class FederatedMediaTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RemoteMedia_IsFetchedOnce_ServedSafely_AndFromTheCacheWithTheOriginStopped(string engine)
    {
        var counter = new FederationMediaRequestCounter();
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var a = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: builder => builder.Services.AddSingleton<IStartupFilter>(counter));
        var (_, bob) = await b.RegisterClientAsync();
        string mxc;
        byte[] image, thumbBytes;
        try
        {
            var (_, alice) = await a.RegisterClientAsync();
            image = Png(1000, 500);
            mxc = await UploadAsync(alice, image, "image/png", "cat.png");
            Assert.StartsWith($"mxc://{a.Options.ServerName}/", mxc);

            // Five first requests at once: one fetch from the origin.
            var downloads = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => bob.GetAsync(DownloadPath(mxc))));
            foreach (var res in downloads)
            {
                Assert.Equal(HttpStatusCode.OK, res.StatusCode);
                Assert.Equal(image, await res.Content.ReadAsByteArrayAsync());
                Assert.Equal("image/png", res.Content.Headers.ContentType!.MediaType);
                Assert.Equal("inline", res.Content.Headers.ContentDisposition!.DispositionType);
                Assert.Equal("cat.png", res.Content.Headers.ContentDisposition.FileNameStar ?? res.Content.Headers.ContentDisposition.FileName?.Trim('"'));
                Assert.Contains("sandbox", res.Headers.GetValues("Content-Security-Policy").Single());
                Assert.Equal("nosniff", res.Headers.GetValues("X-Content-Type-Options").Single());
            }
            Assert.Equal(1, counter.Downloads);

            var thumb = await bob.GetAsync(ThumbnailPath(mxc, "width=90&height=90&method=crop"));
            Assert.Equal(HttpStatusCode.OK, thumb.StatusCode);
            thumbBytes = await thumb.Content.ReadAsByteArrayAsync();
            var info = Image.Identify(thumbBytes);
            Assert.Equal((96, 96), (info.Width, info.Height));
            Assert.Equal("image/png", thumb.Content.Headers.ContentType!.MediaType);
            Assert.Contains("sandbox", thumb.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal(1, counter.Thumbnails);
        }
        finally
        {
            // Stopped here: what follows is served from the cache.
            await a.DisposeAsync();
        }
        var again = await bob.GetAsync(DownloadPath(mxc));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(image, await again.Content.ReadAsByteArrayAsync());
        var thumbAgain = await bob.GetAsync(ThumbnailPath(mxc, "width=90&height=90&method=crop"));
        Assert.Equal(thumbBytes, await thumbAgain.Content.ReadAsByteArrayAsync());

        // Media the origin never had, with the origin gone: nothing cached, so a clean error.
        await (await bob.GetAsync($"/_matrix/client/v1/media/download/{a.Options.ServerName}/NoSuchMedia")).AssertErrorAsync(HttpStatusCode.BadGateway, "M_UNKNOWN");
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheFederationEndpoints_RefuseUnsignedRequests_AndAnswerMultipartWithTheBoundary(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, alice) = await a.RegisterClientAsync();
        var bytes = RandomNumberGenerator.GetBytes(100_000);
        var mediaId = (await UploadAsync(alice, bytes, "application/pdf", "paper.pdf")).Split('/')[^1];
        var path = $"/_matrix/federation/v1/media/download/{mediaId}";

        using var unsigned = new HttpRequestMessage(HttpMethod.Get, $"https://{a.Options.ServerName}{path}");
        using var refused = await b.Services.GetRequiredService<FederationHttp>().Client.OpenAsync(unsigned, CancellationToken.None);
        await refused.AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNAUTHORIZED");

        var client = b.Services.GetRequiredService<FederationClient>();
        using var res = await client.OpenAsync(a.Options.ServerName, path, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var type = res.Content.Headers.ContentType!;
        Assert.Equal("multipart/mixed", type.MediaType);
        var boundary = type.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"');
        var body = await res.Content.ReadAsByteArrayAsync();
        var head = Encoding.ASCII.GetBytes(
            $"--{boundary}\r\nContent-Type: application/json\r\n\r\n{{}}\r\n--{boundary}\r\nContent-Type: application/pdf\r\n" +
            "Content-Disposition: attachment; filename=paper.pdf; filename*=UTF-8''paper.pdf\r\n\r\n");
        Assert.Equal(head, body[..head.Length]);
        Assert.Equal(bytes, body[head.Length..(head.Length + bytes.Length)]);
        Assert.Equal(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"), body[(head.Length + bytes.Length)..]);

        using var thumbnail = await client.OpenAsync(a.Options.ServerName, $"/_matrix/federation/v1/media/thumbnail/{mediaId}?width=32&height=32", CancellationToken.None);
        await thumbnail.AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
        using var remote = await client.OpenAsync(a.Options.ServerName, "/_matrix/federation/v1/media/download/NoSuchMedia", CancellationToken.None);
        await remote.AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OversizeRemoteMedia_IsRefusedWhileStreaming_AndNothingIsStored(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca, o => o.Media.MaxUploadSize = new(64 * 1024));
        var (_, alice) = await a.RegisterClientAsync();
        var (_, bob) = await b.RegisterClientAsync();
        var mxc = await UploadAsync(alice, RandomNumberGenerator.GetBytes(4 << 20), "video/mp4");

        await (await bob.GetAsync(DownloadPath(mxc))).AssertErrorAsync(HttpStatusCode.BadGateway, "M_TOO_LARGE");
        Assert.Null(await CachedAsync(b, mxc));
        Assert.Empty(StoredFiles(b.Options));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(MediaRoot(b), "tmp")));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheCacheCap_EvictsTheLeastRecentlyAccessedMedia(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca, o => o.Media.RemoteCacheMaxSize = new(25_000));
        var (_, alice) = await a.RegisterClientAsync();
        var (_, bob) = await b.RegisterClientAsync();
        var first = await UploadAsync(alice, RandomNumberGenerator.GetBytes(10_000));
        var second = await UploadAsync(alice, RandomNumberGenerator.GetBytes(10_000));
        var third = await UploadAsync(alice, RandomNumberGenerator.GetBytes(10_000));

        foreach (var mxc in new[] { first, second, first, third })
        {
            Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync(DownloadPath(mxc))).StatusCode);
            await Task.Delay(20);
        }

        Assert.NotNull(await CachedAsync(b, first));
        Assert.Null(await CachedAsync(b, second));
        Assert.NotNull(await CachedAsync(b, third));
        Assert.Equal(20_000, await b.Services.GetRequiredService<RemoteMediaStore>().TotalBytesAsync(CancellationToken.None));
        Assert.Equal(2, StoredFiles(b.Options).Count);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AGarbageAnswer_IsACleanError_AndNothingIsStored(string engine)
    {
        var stub = new FederationAnswerStub();
        stub.Answer("/_matrix/federation/v1/media", _ => new JsonObject { ["not"] = "multipart" });
        await using var a = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: builder => builder.Services.AddSingleton<IStartupFilter>(stub));
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (_, alice) = await a.RegisterClientAsync();
        var (_, bob) = await b.RegisterClientAsync();
        var mxc = await UploadAsync(alice, RandomNumberGenerator.GetBytes(1000));

        await (await bob.GetAsync(DownloadPath(mxc))).AssertErrorAsync(HttpStatusCode.BadGateway, "M_UNKNOWN");
        await (await bob.GetAsync(ThumbnailPath(mxc, "width=32&height=32"))).AssertErrorAsync(HttpStatusCode.BadGateway, "M_UNKNOWN");
        Assert.Single(stub.RequestsTo("/_matrix/federation/v1/media/download"));
        Assert.Null(await CachedAsync(b, mxc));
        Assert.Empty(StoredFiles(b.Options));
    }

    private static Task<RemoteMediaEntry?> CachedAsync(TestHomeserver hs, string mxc)
    {
        var parts = mxc["mxc://".Length..].Split('/');
        return hs.Services.GetRequiredService<RemoteMediaStore>().GetAsync(parts[0], parts[1], CancellationToken.None);
    }

    private static string ThumbnailPath(string mxc, string query) => "/_matrix/client/v1/media/thumbnail/" + mxc["mxc://".Length..] + "?" + query;

    public void Dispose() => _ca.Dispose();

    /// <summary>Counts the federation media requests a server receives, to tell one fetch from several.</summary>
    private sealed class FederationMediaRequestCounter : IStartupFilter
    {
        private int _downloads;
        private int _thumbnails;

        public int Downloads => _downloads;
        public int Thumbnails => _thumbnails;

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, nextMiddleware) =>
            {
                if (ctx.Request.Path.StartsWithSegments("/_matrix/federation/v1/media/download"))
                    Interlocked.Increment(ref _downloads);
                if (ctx.Request.Path.StartsWithSegments("/_matrix/federation/v1/media/thumbnail"))
                    Interlocked.Increment(ref _thumbnails);
                await nextMiddleware(ctx);
            });
            next(app);
        };
    }
}
