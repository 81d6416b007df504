using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Homeserver.Core.Configuration;

namespace Homeserver.Core.Media;

/// <summary>
/// Content in an S3-compatible bucket under the same keys as on the filesystem (<see cref="MediaContentPaths"/>).
/// Uploads still arrive in a local temp file (the hash names the object, so it is known only at the end) and go
/// up from that file; reads stream the object's body, reopened at an offset when a Range request seeks.
/// </summary>
public sealed class S3MediaContentStore : IMediaContentStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _temp;

    public S3MediaContentStore(S3Options s3, string tempDirectory)
    {
        _bucket = s3.Bucket;
        _temp = Path.GetFullPath(tempDirectory);
        Directory.CreateDirectory(_temp);
        _client = NewClient(s3);
    }

    /// <summary>
    /// A client for the configured store. The SDK's defaults add checksum trailers and aws-chunked bodies that
    /// stores other than AWS store as part of the object, so both are asked for only where an operation requires them.
    /// </summary>
    public static AmazonS3Client NewClient(S3Options s3) =>
        new(new BasicAWSCredentials(s3.AccessKey, s3.SecretKey), new AmazonS3Config
        {
            ServiceURL = $"{(s3.Tls ? "https" : "http")}://{s3.Endpoint}",
            AuthenticationRegion = s3.Region,
            ForcePathStyle = s3.PathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    public string NewTempPath() => Path.Combine(_temp, Guid.NewGuid().ToString("N"));

    public async Task PutAsync(string sha256, string tempPath, CancellationToken ct)
    {
        var key = MediaContentPaths.Relative(sha256);
        if (await ExistsAsync(sha256, ct))
            return;
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = key, FilePath = tempPath, UseChunkEncoding = false }, ct);
    }

    public async Task<Stream?> OpenReadAsync(string sha256, CancellationToken ct)
    {
        var key = MediaContentPaths.Relative(sha256);
        var first = await GetAsync(key, 0, ct);
        return first is null ? null : new S3ObjectReadStream(offset => GetAsync(key, offset, CancellationToken.None), first, first.ContentLength);
    }

    public async Task<bool> ExistsAsync(string sha256, CancellationToken ct)
    {
        try
        {
            await _client.GetObjectMetadataAsync(_bucket, MediaContentPaths.Relative(sha256), ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public Task DeleteAsync(string sha256, CancellationToken ct) =>
        _client.DeleteObjectAsync(_bucket, MediaContentPaths.Relative(sha256), ct);

    public void Dispose() => _client.Dispose();

    private async Task<GetObjectResponse?> GetAsync(string key, long offset, CancellationToken ct)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = key };
        if (offset > 0)
            request.ByteRange = new ByteRange($"bytes={offset}-");
        try
        {
            return await _client.GetObjectAsync(request, ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
