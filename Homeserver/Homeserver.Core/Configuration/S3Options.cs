namespace Homeserver.Core.Configuration;

/// <summary>The S3-compatible object store that holds media when <c>media.storage</c> is <c>s3</c>.</summary>
public sealed class S3Options
{
    /// <summary>Host and optional port of the S3 API, without a scheme (<see cref="Tls"/> chooses it).</summary>
    public string Endpoint { get; set; } = "";
    public string Region { get; set; } = "us-east-1";
    public string Bucket { get; set; } = "";
    public string AccessKey { get; set; } = "";
    public string SecretKey { get; set; } = "";
    /// <summary>Address buckets as <c>endpoint/bucket</c> rather than <c>bucket.endpoint</c>; most self-hosted stores need it.</summary>
    public bool PathStyle { get; set; } = true;
    public bool Tls { get; set; } = true;
}
