namespace Homeserver.Core.Errors;

/// <summary>
/// 429 <c>M_LIMIT_EXCEEDED</c>; the writer turns <see cref="RetryAfterMs"/> into the <c>Retry-After</c> header too.
/// <see cref="Limit"/> is the config key of the limit that refused, for the log: what an operator would tune.
/// </summary>
public sealed class RateLimitedException(long retryAfterMs, string limit)
    : MatrixException(429, ErrorCodes.LimitExceeded, "Too many requests")
{
    public long RetryAfterMs { get; } = retryAfterMs;
    public string Limit { get; } = limit;

    public override IReadOnlyDictionary<string, object?> ToBody() =>
        new Dictionary<string, object?> { ["errcode"] = Errcode, ["error"] = Message, ["retry_after_ms"] = RetryAfterMs };
}
