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

/// <summary>How one send went; <see cref="RetryAfter"/> carries a destination's own <c>Retry-After</c>.</summary>
public readonly record struct PushSendResult(PushOutcome Outcome, TimeSpan? RetryAfter = null)
{
    public static PushSendResult Delivered => new(PushOutcome.Delivered);
    public static PushSendResult PusherGone => new(PushOutcome.PusherGone);
    public static PushSendResult Undeliverable => new(PushOutcome.Undeliverable);

    public static PushSendResult Retry(System.Net.Http.Headers.RetryConditionHeaderValue? retryAfter, TimeProvider time) =>
        new(PushOutcome.RetryLater, retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - time.GetUtcNow() : null));
}
