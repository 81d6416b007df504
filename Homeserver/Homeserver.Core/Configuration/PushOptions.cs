namespace Homeserver.Core.Configuration;

/// <summary>Push delivery to pushers: push gateways (kind <c>http</c>) and Web Push subscriptions (kind <c>webpush</c>).</summary>
public sealed class PushOptions
{
    /// <summary>A device that is syncing, or stopped less than this long ago, gets no push: it sees the event through sync.</summary>
    public Duration OnlineGrace { get; set; } = new(TimeSpan.FromSeconds(10));
    /// <summary>Notifications older than this when their turn comes are dropped, not delivered late.</summary>
    public Duration MaxAge { get; set; } = new(TimeSpan.FromDays(1));
    /// <summary>First wait before retrying an unreachable gateway; doubles per failure up to <see cref="RetryMax"/>.</summary>
    public Duration RetryInitial { get; set; } = new(TimeSpan.FromSeconds(1));
    public Duration RetryMax { get; set; } = new(TimeSpan.FromMinutes(10));
    /// <summary>Time allowed for one request to a gateway or push service.</summary>
    public Duration RequestTimeout { get; set; } = new(TimeSpan.FromSeconds(15));
    /// <summary>The server's VAPID (RFC 8292) P-256 key, PEM; created on first start. Relative paths are inside the data directory.</summary>
    public string VapidKeyPath { get; set; } = "vapid.pem";
    /// <summary>VAPID <c>sub</c> claim: a <c>mailto:</c> or <c>https:</c> contact for push services; empty sends none.</summary>
    public string? VapidSubject { get; set; }
    /// <summary>
    /// CIDR ranges exempt from the refusal of private, loopback and link-local destinations; plain <c>http://</c>
    /// pusher URLs are accepted only for IP literals inside them.
    /// </summary>
    public List<string> AllowedIpRanges { get; set; } = [];
}
