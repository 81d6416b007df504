namespace Homeserver.Core.Errors;

/// <summary>429 <c>M_LIMIT_EXCEEDED</c>; the writer turns <see cref="RetryAfterMs"/> into the <c>Retry-After</c> header too.</summary>
public sealed class RateLimitedException(long retryAfterMs)
    : MatrixException(429, ErrorCodes.LimitExceeded, "Too many requests")
{
    public long RetryAfterMs { get; } = retryAfterMs;

    public override IReadOnlyDictionary<string, object?> ToBody() =>
        new Dictionary<string, object?> { ["errcode"] = Errcode, ["error"] = Message, ["retry_after_ms"] = RetryAfterMs };
}
