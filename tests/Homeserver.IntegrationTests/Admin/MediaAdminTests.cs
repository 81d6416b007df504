using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Media.MediaUploadTests;

namespace Homeserver.IntegrationTests.Admin;

/// <summary>Synapse's media admin API: a user's media, statistics, quarantine and protection.</summary>
public sealed class MediaAdminTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string Admin = "/_synapse/admin";

    internal static string MediaId(string mxc) => mxc.Split('/')[^1];

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UserMedia_IsListedInPagesAndOrders_AndDeletedByPage(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, a) = await hs.RegisterClientAsync();
        // A few milliseconds apart, so that their upload times order them.
        var small = await UploadAsync(a, new byte[10], "text/plain", "small.txt");
        await Task.Delay(5);
        var medium = await UploadAsync(a, new byte[20], "image/png");
        await Task.Delay(5);
        var large = await UploadAsync(a, new byte[30], "application/pdf", "large.pdf");
        var path = $"{Admin}/v1/users/{Uri.EscapeDataString(alice.UserId)}/media";

        await (await a.GetAsync(path)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var first = await (await admin.GetAsync(path + "?limit=2")).AssertOkAsync();
        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(JsonValueKind.Number, first.GetProperty("next_token").ValueKind);
        Assert.Equal(2, first.GetProperty("next_token").GetInt32());
        // Newest first by default.
        var newest = first.GetProperty("media")[0];
        Assert.Equal(MediaId(large), newest.GetProperty("media_id").GetString());
        Assert.Equal("application/pdf", newest.GetProperty("media_type").GetString());
        Assert.Equal(30, newest.GetProperty("media_length").GetInt64());
        Assert.Equal("large.pdf", newest.GetProperty("upload_name").GetString());
        Assert.True(newest.GetProperty("created_ts").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, newest.GetProperty("last_access_ts").ValueKind);
        Assert.Equal(JsonValueKind.Null, newest.GetProperty("quarantined_by").ValueKind);
        Assert.False(newest.GetProperty("safe_from_quarantine").GetBoolean());
        var rest = await (await admin.GetAsync(path + "?limit=2&from=2")).AssertOkAsync();
        Assert.Equal(MediaId(small), Assert.Single(rest.GetProperty("media").EnumerateArray()).GetProperty("media_id").GetString());
        Assert.False(rest.TryGetProperty("next_token", out _));

        var bySize = await (await admin.GetAsync(path + "?order_by=media_length&dir=b")).AssertOkAsync();
        Assert.Equal([30L, 20, 10], bySize.GetProperty("media").EnumerateArray().Select(m => m.GetProperty("media_length").GetInt64()));
        var byName = await (await admin.GetAsync(path + "?order_by=upload_name")).AssertOkAsync();
        Assert.Equal(["large.pdf", "small.txt"], byName.GetProperty("media").EnumerateArray()
            .Select(m => m.GetProperty("upload_name").GetString()).OfType<string>());
        Assert.Contains(MediaId(medium), byName.GetProperty("media").EnumerateArray().Select(m => m.GetProperty("media_id").GetString()));

        await a.GetByteArrayAsync(DownloadPath(small));
        var accessed = (await (await admin.GetAsync(path + "?order_by=last_access_ts")).AssertOkAsync()).GetProperty("media").EnumerateArray()
            .Single(m => m.GetProperty("media_id").GetString() == MediaId(small));
        Assert.True(accessed.GetProperty("last_access_ts").GetInt64() > 0);

        await (await admin.GetAsync(path + "?order_by=size")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync(path + "?dir=x")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync(path + "?from=-1")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync(path + "?limit=many")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync($"{Admin}/v1/users/@nobody-{Guid.NewGuid():N}:{TestHomeserver.ServerName}/media")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.GetAsync($"{Admin}/v1/users/@someone:elsewhere.example/media")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync($"{Admin}/v1/users/not-a-user/media")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");

        await (await a.DeleteAsync(path)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var deleted = await (await admin.DeleteAsync(path + "?limit=1")).AssertOkAsync();
        Assert.Equal([MediaId(large)], deleted.GetProperty("deleted_media").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(1, deleted.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync(DownloadPath(large))).StatusCode);
        Assert.Equal(2, (await (await admin.GetAsync(path)).AssertOkAsync()).GetProperty("total").GetInt32());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Statistics_CountEachUsersMedia_WithFiltersAndPaging(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var tag = "stats" + Guid.NewGuid().ToString("N")[..8];
        var (first, f) = await hs.RegisterClientAsync(tag + "a");
        var (second, s) = await hs.RegisterClientAsync(tag + "b");
        await UploadAsync(f, new byte[100]);
        await UploadAsync(f, new byte[50]);
        await UploadAsync(s, new byte[7]);
        var path = $"{Admin}/v1/statistics/users/media?search_term={tag}";

        await (await f.GetAsync(path)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var all = await (await admin.GetAsync(path)).AssertOkAsync();
        Assert.Equal(2, all.GetProperty("total").GetInt32());
        Assert.False(all.TryGetProperty("next_token", out _));
        var top = all.GetProperty("users")[0];
        Assert.Equal(first.UserId, top.GetProperty("user_id").GetString());
        Assert.Equal(2, top.GetProperty("media_count").GetInt32());
        Assert.Equal(150, top.GetProperty("media_length").GetInt64());
        Assert.True(top.TryGetProperty("displayname", out _));

        var page = await (await admin.GetAsync(path + "&order_by=media_length&limit=1")).AssertOkAsync();
        Assert.Equal(second.UserId, page.GetProperty("users")[0].GetProperty("user_id").GetString());
        Assert.Equal(1, page.GetProperty("next_token").GetInt32());
        var next = await (await admin.GetAsync(path + "&order_by=media_length&limit=1&from=1")).AssertOkAsync();
        Assert.Equal(first.UserId, next.GetProperty("users")[0].GetProperty("user_id").GetString());

        var future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        Assert.Equal(0, (await (await admin.GetAsync(path + "&from_ts=" + future)).AssertOkAsync()).GetProperty("total").GetInt32());
        Assert.Equal(2, (await (await admin.GetAsync(path + "&until_ts=" + future)).AssertOkAsync()).GetProperty("total").GetInt32());
        await (await admin.GetAsync(path + "&order_by=bytes")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync(path + "&from_ts=-5")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task QuarantinedMedia_IsGoneForClients_ButAdminsMayBypass_AndProtectedMediaIsNeverQuarantined(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (adminUser, admin) = await hs.RegisterAdminAsync();
        var (alice, a) = await hs.RegisterClientAsync();
        var image = await UploadAsync(a, Media.MediaThumbnailTests.Png(64, 64), "image/png");
        var file = await UploadAsync(a, RandomNumberGenerator.GetBytes(64));
        var roomId = await a.CreateRoomAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/t1",
            new { msgtype = "m.image", body = "cat.png", url = image })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/t2",
            new { msgtype = "m.image", body = "remote.png", url = "mxc://elsewhere.example/abcdef" })).AssertOkAsync();
        var thumbnail = "/_matrix/client/v1/media/thumbnail/" + image["mxc://".Length..] + "?width=32&height=32&method=crop";
        var quarantine = $"{Admin}/v1/media/quarantine/{TestHomeserver.ServerName}/{MediaId(image)}";

        var roomMedia = await (await admin.GetAsync($"{Admin}/v1/room/{roomId}/media")).AssertOkAsync();
        Assert.Equal([image], roomMedia.GetProperty("local").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(["mxc://elsewhere.example/abcdef"], roomMedia.GetProperty("remote").EnumerateArray().Select(u => u.GetString()));
        await (await a.GetAsync($"{Admin}/v1/room/{roomId}/media")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await admin.GetAsync($"{Admin}/v1/room/!unknown:{TestHomeserver.ServerName}/media")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        await (await a.PostAsync(quarantine, null)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.Equal("{}", (await (await admin.PostAsync(quarantine, null)).AssertOkAsync()).GetRawText());
        await (await a.GetAsync(DownloadPath(image))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.GetAsync(thumbnail)).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.GetAsync(DownloadPath(image) + "?admin_unsafely_bypass_quarantine=true")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(DownloadPath(image) + "?admin_unsafely_bypass_quarantine=true")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(thumbnail + "&admin_unsafely_bypass_quarantine=true")).StatusCode);
        await (await admin.GetAsync(DownloadPath(image))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        var listed = await (await admin.GetAsync($"{Admin}/v1/users/{Uri.EscapeDataString(alice.UserId)}/media?order_by=media_type")).AssertOkAsync();
        Assert.Equal(adminUser.UserId, listed.GetProperty("media")[1].GetProperty("quarantined_by").GetString());

        await (await admin.PostAsync($"{Admin}/v1/media/unquarantine/{TestHomeserver.ServerName}/{MediaId(image)}", null)).AssertOkAsync();
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync(DownloadPath(image))).StatusCode);

        // Protected media stays served through a user's and a room's quarantine.
        await (await a.PostAsync($"{Admin}/v1/media/protect/{MediaId(image)}", null)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await admin.PostAsync($"{Admin}/v1/media/protect/{MediaId(image)}", null)).AssertOkAsync();
        var byUser = await (await admin.PostAsync($"{Admin}/v1/user/{Uri.EscapeDataString(alice.UserId)}/media/quarantine", null)).AssertOkAsync();
        Assert.Equal(1, byUser.GetProperty("num_quarantined").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync(DownloadPath(image))).StatusCode);
        await (await a.GetAsync(DownloadPath(file))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Equal(0, (await (await admin.PostAsync($"{Admin}/v1/room/{roomId}/media/quarantine", null)).AssertOkAsync()).GetProperty("num_quarantined").GetInt32());
        await (await admin.PostAsync($"{Admin}/v1/media/unprotect/{MediaId(image)}", null)).AssertOkAsync();
        Assert.Equal(1, (await (await admin.PostAsync($"{Admin}/v1/room/{roomId}/media/quarantine", null)).AssertOkAsync()).GetProperty("num_quarantined").GetInt32());
        await (await a.GetAsync(DownloadPath(image))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        await (await admin.PostAsync($"{Admin}/v1/media/protect/unknownmediaid", null)).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.PostAsync($"{Admin}/v1/media/quarantine/{TestHomeserver.ServerName}/bad!id", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsync($"{Admin}/v1/room/not-a-room/media/quarantine", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }
}
