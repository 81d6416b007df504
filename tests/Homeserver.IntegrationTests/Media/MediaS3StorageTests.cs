using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Homeserver.Core.Configuration;
using Homeserver.IntegrationTests.Durability;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Media.MediaUploadTests;

namespace Homeserver.IntegrationTests.Media;

/// <summary>Media stored in an S3-compatible bucket (s3rver), served through the same endpoints, and moved between the stores.</summary>
public sealed class MediaS3StorageTests
{
    private const string ThumbnailQuery = "?width=32&height=32&method=crop";

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Upload_LandsInTheBucket_AndIsServedWithRangesAndThumbnails(string engine)
    {
        var s3 = await TestS3.CreateBucketAsync();
        await using var hs = await TestHomeserver.StartAsync(engine, o => UseS3(o, s3));
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var data = RandomNumberGenerator.GetBytes(300_000);

        var mxc = await UploadAsync(c, data, "video/mp4", "clip.mp4");

        Assert.Equal(data, await TestS3.ReadContentAsync(s3, Sha256(data)));
        Assert.Equal(0, StoredFileCount(hs));
        Assert.Equal(data, await c.GetByteArrayAsync(DownloadPath(mxc)));
        using var range = new HttpRequestMessage(HttpMethod.Get, DownloadPath(mxc)) { Headers = { Range = new RangeHeaderValue(200_000, 200_009) } };
        var partial = await c.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("bytes 200000-200009/300000", partial.Content.Headers.ContentRange!.ToString());
        Assert.Equal(data[200_000..200_010], await partial.Content.ReadAsByteArrayAsync());
        using var beyond = new HttpRequestMessage(HttpMethod.Get, DownloadPath(mxc)) { Headers = { Range = new RangeHeaderValue(400_000, null) } };
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await c.SendAsync(beyond)).StatusCode);

        var png = MediaThumbnailTests.Png(200, 100);
        var image = await UploadAsync(c, png, "image/png");
        var thumb = await c.GetAsync("/_matrix/client/v1/media/thumbnail/" + image["mxc://".Length..] + ThumbnailQuery);
        Assert.Equal(HttpStatusCode.OK, thumb.StatusCode);
        Assert.Equal(await thumb.Content.ReadAsByteArrayAsync(), await TestS3.ReadContentAsync(s3, Sha256(await thumb.Content.ReadAsByteArrayAsync())));
        Assert.Equal(3, await TestS3.ObjectCountAsync(s3));
        Assert.Equal(0, StoredFileCount(hs));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task MoveMedia_MovesBothWays_AndTheServerServesItAfter(string engine)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        options.Media.S3 = await TestS3.CreateBucketAsync();
        var data = RandomNumberGenerator.GetBytes(100_000);
        string mxc, image, token;
        byte[] thumbnail;
        await using (var hs = await TestHomeserver.StartAsync(options))
        {
            var user = await hs.RegisterAsync();
            token = user.AccessToken;
            using var c = hs.ClientFor(user);
            mxc = await UploadAsync(c, data, "application/pdf", "report.pdf");
            image = await UploadAsync(c, MediaThumbnailTests.Png(120, 80), "image/png");
            thumbnail = await c.GetByteArrayAsync("/_matrix/client/v1/media/thumbnail/" + image["mxc://".Length..] + ThumbnailQuery);
        }
        var config = WriteConfig(options);

        var toS3 = await ServerProcess.RunToExitAsync(["move-media", "--config", config, "--to", "s3"]);
        Assert.True(toS3.Exit == 0, toS3.Err);
        Assert.Contains("moved 3 to s3, 0 already there", toS3.Out);
        Assert.Equal(3, await TestS3.ObjectCountAsync(options.Media.S3));
        Assert.Equal(data, await TestS3.ReadContentAsync(options.Media.S3, Sha256(data)));
        Assert.Empty(StoredFiles(options));
        var again = await ServerProcess.RunToExitAsync(["move-media", "--config", config, "--to", "s3"]);
        Assert.True(again.Exit == 0, again.Err);
        Assert.Contains("moved 0 to s3, 3 already there", again.Out);

        options.Media.Storage = MediaOptions.S3Storage;
        await AssertServedAsync(options, token, mxc, data, image, thumbnail);

        var back = await ServerProcess.RunToExitAsync(["move-media", "--config", config, "--to", "filesystem"]);
        Assert.True(back.Exit == 0, back.Err);
        Assert.Contains("moved 3 to filesystem, 0 already there", back.Out);
        Assert.Equal(0, await TestS3.ObjectCountAsync(options.Media.S3));
        Assert.Equal(3, StoredFiles(options).Count);

        options.Media.Storage = MediaOptions.FilesystemStorage;
        await AssertServedAsync(options, token, mxc, data, image, thumbnail);
    }

    [Fact]
    public async Task MoveMedia_ContentMissingFromBothStores_IsNamedAndFails()
    {
        var options = await TestHomeserver.CreateOptionsAsync("sqlite");
        options.Media.S3 = await TestS3.CreateBucketAsync();
        var data = RandomNumberGenerator.GetBytes(1000);
        await using (var hs = await TestHomeserver.StartAsync(options))
            await UploadAsync(hs.ClientFor(await hs.RegisterAsync()), data);
        foreach (var file in StoredFiles(options))
            File.Delete(file);

        var run = await ServerProcess.RunToExitAsync(["move-media", "--config", WriteConfig(options), "--to", "s3"]);

        Assert.Equal(1, run.Exit);
        Assert.Contains("missing from both stores: " + Sha256(data), run.Err);
    }

    private static void UseS3(HomeserverOptions o, S3Options s3)
    {
        o.Media.Storage = MediaOptions.S3Storage;
        o.Media.S3 = s3;
    }

    private static async Task AssertServedAsync(HomeserverOptions options, string token, string mxc, byte[] data, string image, byte[] thumbnail)
    {
        await using var hs = await TestHomeserver.StartAsync(options);
        using var c = hs.NewClient(token);
        Assert.Equal(data, await c.GetByteArrayAsync(DownloadPath(mxc)));
        Assert.Equal(thumbnail, await c.GetByteArrayAsync("/_matrix/client/v1/media/thumbnail/" + image["mxc://".Length..] + ThumbnailQuery));
    }

    private static string WriteConfig(HomeserverOptions o)
    {
        var s3 = o.Media.S3;
        var path = Path.Combine(o.DataDir, "homeserver.yaml");
        File.WriteAllText(path, $"""
            server_name: {o.ServerName}
            data_dir: {o.DataDir}
            listeners:
              - port: 8008
            database:
              engine: {o.Database.Engine}
              connection_string: "{o.Database.ConnectionString}"
            media:
              storage: {o.Media.Storage}
              s3:
                endpoint: {s3.Endpoint}
                bucket: {s3.Bucket}
                access_key: {s3.AccessKey}
                secret_key: {s3.SecretKey}
                path_style: {(s3.PathStyle ? "true" : "false")}
                tls: {(s3.Tls ? "true" : "false")}
            """);
        return path;
    }

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
