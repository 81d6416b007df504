namespace Homeserver.Core.Push.Delivery;

public enum PushOutcome
{
    Delivered,
    /// <summary>The gateway rejected the pushkey, or the push service no longer knows the subscription: delete the pusher.</summary>
    PusherGone,
    /// <summary>The destination is down or busy: try the same notification again later.</summary>
    RetryLater,
    /// <summary>The destination is refused by policy; retrying cannot help, so the notification is dropped.</summary>
    Undeliverable,
}

/// <summary>
/// How one send went; <see cref="RetryAfter"/> carries a destination's own <c>Retry-After</c>, and <see cref="Problem"/>
/// what went wrong (the destination and its status or error) for the delivery worker's log.
/// </summary>
public readonly record struct PushSendResult(PushOutcome Outcome, TimeSpan? RetryAfter = null, string? Problem = null)
{
    public static PushSendResult Delivered => new(PushOutcome.Delivered);
    /// <summary>Dropped without a send, as expected (the device saw it through sync, the event is too old or gone).</summary>
    public static PushSendResult Skipped => new(PushOutcome.Undeliverable);

    public static PushSendResult Gone(string problem) => new(PushOutcome.PusherGone, Problem: problem);

    public static PushSendResult Refused(string problem) => new(PushOutcome.Undeliverable, Problem: problem);

    public static PushSendResult Retry(string problem, System.Net.Http.Headers.RetryConditionHeaderValue? retryAfter, TimeProvider time) =>
        new(PushOutcome.RetryLater, retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - time.GetUtcNow() : null), problem);
}
