using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Homeserver.Core.Configuration;
using Homeserver.Core.Media;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Media;

public sealed class MediaUploadTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    internal static ByteArrayContent Bytes(byte[] data, string? type = "application/octet-stream")
    {
        var c = new ByteArrayContent(data);
        if (type is not null)
            c.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return c;
    }

    internal static async Task<string> UploadAsync(HttpClient c, byte[] data, string type = "application/octet-stream", string? filename = null)
    {
        var res = await c.PostAsync("/_matrix/media/v3/upload" + (filename is null ? "" : "?filename=" + Uri.EscapeDataString(filename)), Bytes(data, type));
        return (await res.AssertOkAsync()).GetProperty("content_uri").GetString()!;
    }

    internal static string DownloadPath(string mxc) => "/_matrix/client/v1/media/download/" + mxc["mxc://".Length..];

    internal static string MediaRoot(TestHomeserver hs) => hs.Options.ResolvePath(hs.Options.Media.StorePath);

    internal static int StoredFileCount(TestHomeserver hs) => StoredFiles(hs.Options).Count;

    /// <summary>The content files in the filesystem store, not counting uploads in progress.</summary>
    internal static List<string> StoredFiles(HomeserverOptions o)
    {
        var root = o.ResolvePath(o.Media.StorePath);
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).StartsWith("tmp", StringComparison.Ordinal)).ToList();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Upload_ThenDownload_RoundTripsBytesAndName(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var data = RandomNumberGenerator.GetBytes(300_000);
        var mxc = await UploadAsync(c, data, "image/png", "holiday photo.png");
        Assert.StartsWith($"mxc://{TestHomeserver.ServerName}/", mxc);

        var res = await c.GetAsync(DownloadPath(mxc));
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal(data, await res.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", res.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", res.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("holiday photo.png", res.Content.Headers.ContentDisposition?.FileNameStar);

        var renamed = await c.GetAsync(DownloadPath(mxc) + "/other.png");
        Assert.Equal("other.png", renamed.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Fact]
    public async Task Upload_WithoutToken_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        var res = await hs.Client.PostAsync("/_matrix/media/v3/upload", Bytes([1, 2, 3]));
        await res.AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }

    [Fact]
    public async Task Download_WithoutToken_IsRefusedOnAuthenticatedEndpoint()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, [1, 2, 3]);
        await (await hs.Client.GetAsync(DownloadPath(mxc))).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task IdenticalUploads_AreStoredOnce_AndDeletingTheLastReferenceRemovesTheFile(string engine)
    {
        await using var hs = await TestHomeserver.StartAsync(engine);
        var (admin, c) = await hs.RegisterClientAsync();
        await hs.Services.GetRequiredService<Homeserver.Core.Storage.Database>().WriteAsync((conn, tx) =>
            Homeserver.Core.Storage.DbConnectionExtensions.RunAsync(conn, "UPDATE users SET is_admin = TRUE WHERE user_id = @U", new { U = admin.UserId }, default, tx), default);
        var data = RandomNumberGenerator.GetBytes(50_000);
        var first = await UploadAsync(c, data);
        var second = await UploadAsync(c, data);
        Assert.NotEqual(first, second);
        Assert.Equal(1, StoredFileCount(hs));

        await (await c.DeleteAsync("/_synapse/admin/v1/media/" + first["mxc://".Length..])).AssertOkAsync();
        await (await c.GetAsync(DownloadPath(first) + "?timeout_ms=0")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Equal(data, await (await c.GetAsync(DownloadPath(second))).Content.ReadAsByteArrayAsync());
        Assert.Equal(1, StoredFileCount(hs));

        await (await c.DeleteAsync("/_synapse/admin/v1/media/" + second["mxc://".Length..])).AssertOkAsync();
        Assert.Equal(0, StoredFileCount(hs));
    }

    [Fact]
    public async Task AdminDelete_ByNonAdmin_IsForbidden()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = await UploadAsync(c, [9, 9, 9]);
        await (await c.DeleteAsync("/_synapse/admin/v1/media/" + mxc["mxc://".Length..])).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.Equal([9, 9, 9], await (await c.GetAsync(DownloadPath(mxc))).Content.ReadAsByteArrayAsync());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Upload_OverMaxSize_IsRefusedWhileStreaming_AndLeavesNothing(string engine)
    {
        await using var hs = await TestHomeserver.StartAsync(engine, o => o.Media.MaxUploadSize = new(1 << 20));
        using var c = hs.ClientFor(await hs.RegisterAsync());
        // Declared length over the limit: refused before reading.
        var declared = await c.PostAsync("/_matrix/media/v3/upload", Bytes(new byte[(1 << 20) + 1]));
        await declared.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "M_TOO_LARGE");
        // Chunked, no length: refused once the count passes the limit.
        var chunked = new StreamContent(new MemoryStream(new byte[(1 << 20) + 1]));
        var req = new HttpRequestMessage(HttpMethod.Post, "/_matrix/media/v3/upload") { Content = chunked };
        req.Headers.TransferEncodingChunked = true;
        await (await c.SendAsync(req)).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "M_TOO_LARGE");
        Assert.Equal(0, StoredFileCount(hs));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(MediaRoot(hs), "tmp")));
        // Exactly the limit is accepted, and is larger than the 64 KiB JSON body limit would allow.
        await UploadAsync(c, new byte[1 << 20]);
    }

    [Fact]
    public async Task Upload_OverUserQuota_IsForbidden()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.Media.UserQuota = new(100_000));
        using var c = hs.ClientFor(await hs.RegisterAsync());
        await UploadAsync(c, new byte[60_000]);
        var res = await c.PostAsync("/_matrix/media/v3/upload", Bytes(RandomNumberGenerator.GetBytes(60_000)));
        await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        using var other = hs.ClientFor(await hs.RegisterAsync());
        await UploadAsync(other, new byte[60_000]);
    }

    [Fact]
    public async Task Upload_InterruptedByClient_LeavesNoFileOrRow()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite");
        var user = await hs.RegisterAsync();
        // A raw request that promises 1 MB and dies after 100 KB.
        using (var tcp = new System.Net.Sockets.TcpClient())
        {
            await tcp.ConnectAsync(hs.BaseAddress.Host, hs.BaseAddress.Port);
            var stream = tcp.GetStream();
            var head = $"POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {user.AccessToken}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n";
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(new byte[100_000]);
            await stream.FlushAsync();
            await Task.Delay(300);
        }
        await Task.Delay(500);
        var count = await hs.Services.GetRequiredService<Homeserver.Core.Storage.Database>().ReadAsync(conn =>
            Homeserver.Core.Storage.DbConnectionExtensions.ScalarAsync<long>(conn, "SELECT COUNT(*) FROM media", null, default), default);
        Assert.Equal(0, count);
        Assert.Equal(0, StoredFileCount(hs));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(MediaRoot(hs), "tmp")));
    }

    [Theory]
    [InlineData("test.local/..%2F..%2Fetc")]
    [InlineData("test.local/%2e%2e")]
    [InlineData("test.local/abc%5C..")]
    [InlineData("..%2F..%2Fhost/abcdef")]
    [InlineData("bad_server!/abcdef")]
    public async Task Download_HostileIds_AreRefusedWithoutTouchingFiles(string path)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var res = await c.GetAsync("/_matrix/client/v1/media/download/" + path);
        Assert.True(res.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"got {(int)res.StatusCode}");
        var body = await res.JsonAsync();
        Assert.Contains(body.GetProperty("errcode").GetString(), new[] { "M_INVALID_PARAM", "M_NOT_FOUND", "M_UNRECOGNIZED" });
    }

    [Fact]
    public async Task Download_NulInPath_IsRejectedByTheServer()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var res = await c.GetAsync("/_matrix/client/v1/media/download/test.local/abc%00def");
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
    }

    [Fact]
    public async Task MediaIdValidation_AcceptsOnlySpecCharacters()
    {
        Assert.True(MediaIds.IsValid("AbC_09-x"));
        foreach (var bad in new[] { "", "..", "a/b", "a\\b", "a\0b", "a.b", "ａ" })
            Assert.False(MediaIds.IsValid(bad), bad);
        await Task.CompletedTask;
    }
}
