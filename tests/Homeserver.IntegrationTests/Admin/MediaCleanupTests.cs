using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Admin.MediaAdminTests;
using static Homeserver.IntegrationTests.Media.MediaUploadTests;

namespace Homeserver.IntegrationTests.Admin;

/// <summary>
/// Deleting media by age and size, through the admin API and the scheduled clean-up, on a server of its own (they
/// delete everyone's old media), with the content gone from the store.
/// </summary>
public sealed class MediaCleanupTests
{
    private const string Admin = "/_synapse/admin";

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteByAgeAndSize_DeletesOnlyOldLargeMedia_KeepingAvatarsQuarantinedAndProtected(string engine)
    {
        await using var hs = await TestHomeserver.StartAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (_, admin) = await hs.RegisterAdminAsync();
        var oldSmall = await UploadAsync(a, RandomNumberGenerator.GetBytes(10));
        var oldLarge = await UploadAsync(a, RandomNumberGenerator.GetBytes(1000));
        var avatar = await UploadAsync(a, RandomNumberGenerator.GetBytes(1000));
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(alice.UserId)}/avatar_url", new { avatar_url = avatar })).AssertOkAsync();
        var quarantined = await UploadAsync(a, RandomNumberGenerator.GetBytes(1000));
        await (await admin.PostAsync($"{Admin}/v1/media/quarantine/{TestHomeserver.ServerName}/{MediaId(quarantined)}", null)).AssertOkAsync();
        var protectedMedia = await UploadAsync(a, RandomNumberGenerator.GetBytes(1000));
        await (await admin.PostAsync($"{Admin}/v1/media/protect/{MediaId(protectedMedia)}", null)).AssertOkAsync();
        await Task.Delay(50);
        var cut = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.Delay(50);
        var recent = await UploadAsync(a, RandomNumberGenerator.GetBytes(1000));
        Assert.Equal(6, StoredFileCount(hs));

        await (await a.PostAsync($"{Admin}/v1/media/delete?before_ts={cut}", null)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var deleted = await (await admin.PostAsync($"{Admin}/v1/media/delete?before_ts={cut}&size_gt=100", null)).AssertOkAsync();
        Assert.Equal([MediaId(oldLarge)], deleted.GetProperty("deleted_media").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(1, deleted.GetProperty("total").GetInt32());
        Assert.Equal(5, StoredFileCount(hs));
        await (await a.GetAsync(DownloadPath(oldLarge))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        foreach (var kept in new[] { oldSmall, avatar, protectedMedia, recent })
            Assert.Equal(HttpStatusCode.OK, (await a.GetAsync(DownloadPath(kept))).StatusCode);

        // The older path names the server; without keep_profiles the avatar goes too. Downloads count as use.
        await Task.Delay(50);
        var later = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var again = await (await admin.PostAsync($"{Admin}/v1/media/{TestHomeserver.ServerName}/delete?before_ts={later}&size_gt=0&keep_profiles=false", null)).AssertOkAsync();
        Assert.Equal(new[] { oldSmall, avatar, recent }.Select(MediaId).Order(), again.GetProperty("deleted_media").EnumerateArray().Select(m => m.GetString()).Order());
        Assert.Equal(2, StoredFileCount(hs));

        await (await admin.PostAsync($"{Admin}/v1/media/elsewhere.example/delete?before_ts={later}", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsync($"{Admin}/v1/media/delete", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await admin.PostAsync($"{Admin}/v1/media/delete?before_ts=1700000000", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsync($"{Admin}/v1/media/delete?before_ts={later}&size_gt=-1", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsync($"{Admin}/v1/media/delete?before_ts=soon", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");

        // No remote media is cached yet: the call answers what it purged.
        Assert.Equal(0, (await (await admin.PostAsync($"{Admin}/v1/purge_media_cache?before_ts={later}", null)).AssertOkAsync()).GetProperty("deleted").GetInt32());
        await (await admin.PostAsync($"{Admin}/v1/purge_media_cache", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await a.PostAsync($"{Admin}/v1/purge_media_cache?before_ts={later}", null)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteByAge_OnS3_RemovesTheObjects(string engine)
    {
        var s3 = await TestS3.CreateBucketAsync();
        await using var hs = await TestHomeserver.StartAsync(engine, o =>
        {
            o.Media.Storage = MediaOptions.S3Storage;
            o.Media.S3 = s3;
        });
        var (_, a) = await hs.RegisterClientAsync();
        var (_, admin) = await hs.RegisterAdminAsync();
        var small = await UploadAsync(a, RandomNumberGenerator.GetBytes(10));
        var large = await UploadAsync(a, RandomNumberGenerator.GetBytes(5000));
        Assert.Equal(2, await TestS3.ObjectCountAsync(s3));

        var deleted = await (await admin.PostAsync($"{Admin}/v1/media/delete?before_ts={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1}&size_gt=100", null)).AssertOkAsync();

        Assert.Equal([MediaId(large)], deleted.GetProperty("deleted_media").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(1, await TestS3.ObjectCountAsync(s3));
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync(DownloadPath(small))).StatusCode);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ScheduledCleanup_DeletesLocalMediaUnusedForItsLifetime_AboveTheMinimumSize(string engine)
    {
        await using var hs = await TestHomeserver.StartAsync(engine, o =>
        {
            o.Media.Retention.LocalMediaLifetime = new Duration(TimeSpan.FromSeconds(1));
            o.Media.Retention.LocalMediaMinSize = new ByteSize(100);
            o.Media.Retention.Interval = new Duration(TimeSpan.FromMilliseconds(500));
        });
        var (_, a) = await hs.RegisterClientAsync();
        var small = await UploadAsync(a, RandomNumberGenerator.GetBytes(10));
        var large = await UploadAsync(a, RandomNumberGenerator.GetBytes(1000));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await a.GetAsync(DownloadPath(large) + "?timeout_ms=0")).StatusCode == HttpStatusCode.OK && DateTime.UtcNow < deadline)
            await Task.Delay(2500);

        await (await a.GetAsync(DownloadPath(large))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync(DownloadPath(small))).StatusCode);
        Assert.Equal(1, StoredFileCount(hs));
    }
}
