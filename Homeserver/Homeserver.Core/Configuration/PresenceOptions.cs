namespace Homeserver.Core.Configuration;

public sealed class PresenceOptions
{
    /// <summary>When off, presence is neither tracked nor sent, and PUT presence is refused.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A user with no syncing connection for this long goes offline (Synapse's sync timeout is 30 s).</summary>
    public Duration OfflineAfter { get; set; } = new(TimeSpan.FromSeconds(30));
}
