namespace Homeserver.Core.Push.Pushers;

/// <summary>A row of <c>pushers</c>.</summary>
public sealed class PusherRecord
{
    public const string HttpKind = "http";
    public const string WebPushKind = "webpush";

    public string UserId { get; set; } = "";
    public string AppId { get; set; } = "";
    public string Pushkey { get; set; } = "";
    public string DeviceId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string AppDisplayName { get; set; } = "";
    public string DeviceDisplayName { get; set; } = "";
    public string? ProfileTag { get; set; }
    public string Lang { get; set; } = "";
    /// <summary>The client's <c>data</c> object as JSON.</summary>
    public string Data { get; set; } = "{}";
    /// <summary>When the pushkey was last set, in milliseconds.</summary>
    public long PushkeyTs { get; set; }
    public long LastStreamOrdering { get; set; }
    public bool Activated { get; set; }
    public string? AckToken { get; set; }
    public long? AckTokenTs { get; set; }

    public PusherKey Key => new(UserId, AppId, Pushkey);
}

/// <summary>What identifies a pusher: the spec's app ID and pushkey, per user.</summary>
public readonly record struct PusherKey(string UserId, string AppId, string Pushkey);
