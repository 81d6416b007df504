using System.Net;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Media.MediaUploadTests;

namespace Homeserver.IntegrationTests.Media;

/// <summary>Asynchronous uploads: <c>/create</c> then <c>PUT /upload/{server}/{id}</c> (checklist row 62).</summary>
public sealed class MediaAsyncUploadTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Create_ThenUpload_ThenDownload(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var created = await (await c.PostAsync("/_matrix/media/v1/create", null)).AssertOkAsync();
        var mxc = created.GetProperty("content_uri").GetString()!;
        Assert.True(created.GetProperty("unused_expires_at").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        await (await c.GetAsync(DownloadPath(mxc) + "?timeout_ms=0")).AssertErrorAsync(HttpStatusCode.GatewayTimeout, "M_NOT_YET_UPLOADED");

        var put = "/_matrix/media/v3/upload/" + mxc["mxc://".Length..] + "?filename=late.txt";
        await (await c.PutAsync(put, Bytes("hello"u8.ToArray(), "text/plain"))).AssertOkAsync();
        var res = await c.GetAsync(DownloadPath(mxc));
        Assert.Equal("hello", await res.Content.ReadAsStringAsync());
        Assert.Equal("late.txt", res.Content.Headers.ContentDisposition?.FileNameStar);

        await (await c.PutAsync(put, Bytes("again"u8.ToArray()))).AssertErrorAsync(HttpStatusCode.Conflict, "M_CANNOT_OVERWRITE_MEDIA");
        Assert.Equal("hello", await (await c.GetAsync(DownloadPath(mxc))).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Download_WaitsForAPendingUploadWithinTimeout()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var mxc = (await (await c.PostAsync("/_matrix/media/v1/create", null)).AssertOkAsync()).GetProperty("content_uri").GetString()!;
        var download = c.GetAsync(DownloadPath(mxc) + "?timeout_ms=10000");
        await Task.Delay(300);
        await (await c.PutAsync("/_matrix/media/v3/upload/" + mxc["mxc://".Length..], Bytes([7, 7]))).AssertOkAsync();
        var res = await download;
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal([7, 7], await res.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Upload_ToAnotherUsersCreatedId_IsForbidden()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var owner = hs.ClientFor(await hs.RegisterAsync());
        using var other = hs.ClientFor(await hs.RegisterAsync());
        var mxc = (await (await owner.PostAsync("/_matrix/media/v1/create", null)).AssertOkAsync()).GetProperty("content_uri").GetString()!;
        await (await other.PutAsync("/_matrix/media/v3/upload/" + mxc["mxc://".Length..], Bytes([1]))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await other.PutAsync($"/_matrix/media/v3/upload/{TestHomeserver.ServerName}/NoSuchMediaId", Bytes([1]))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Fact]
    public async Task Create_PastMaxPending_IsLimited()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        for (var i = 0; i < 5; i++)
            await (await c.PostAsync("/_matrix/media/v1/create", null)).AssertOkAsync();
        var sixth = await c.PostAsync("/_matrix/media/v1/create", null);
        await sixth.AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");
        Assert.True(sixth.Headers.Contains("Retry-After"));
    }
}
