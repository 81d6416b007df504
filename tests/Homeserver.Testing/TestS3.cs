using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Homeserver.Core.Configuration;
using Homeserver.Core.Media;

namespace Homeserver.Testing;

/// <summary>
/// Fresh buckets on the S3-compatible server (s3rver) that <c>tests/run.sh</c> starts, and a client to look into
/// them. Without one the tests fail loudly, like <see cref="TestPostgres"/>.
/// </summary>
public static class TestS3
{
    public const string EnvVar = "HOMESERVER_TEST_S3";

    public static string Endpoint =>
        Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } endpoint
            ? endpoint
            : throw new InvalidOperationException($"{EnvVar} is not set: run the suite with tests/run.sh, which starts s3rver, or start it with tests/s3.sh and set {EnvVar} to the host:port it prints.");

    /// <summary>The <c>media.s3</c> section for a new, empty bucket (s3rver's built-in account).</summary>
    public static async Task<S3Options> CreateBucketAsync()
    {
        var s3 = new S3Options
        {
            Endpoint = Endpoint, Bucket = "hs-test-" + Guid.NewGuid().ToString("N")[..16],
            AccessKey = "S3RVER", SecretKey = "S3RVER", PathStyle = true, Tls = false,
        };
        using var client = S3MediaContentStore.NewClient(s3);
        await client.PutBucketAsync(s3.Bucket);
        return s3;
    }

    /// <summary>The object holding this content, read straight from the bucket; null when there is none.</summary>
    public static async Task<byte[]?> ReadContentAsync(S3Options s3, string sha256)
    {
        using var client = S3MediaContentStore.NewClient(s3);
        try
        {
            using var res = await client.GetObjectAsync(s3.Bucket, MediaContentPaths.Relative(sha256));
            using var bytes = new MemoryStream();
            await res.ResponseStream.CopyToAsync(bytes);
            return bytes.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public static async Task<int> ObjectCountAsync(S3Options s3)
    {
        using var client = S3MediaContentStore.NewClient(s3);
        var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = s3.Bucket });
        return listing.KeyCount ?? 0;
    }
}
