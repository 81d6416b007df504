namespace Homeserver.Core.Rooms.Purge;

/// <summary>Where a history purge stands, with Synapse's status names; <see cref="Error"/> says why it failed.</summary>
public sealed record PurgeStatus(string RoomId, string Status, string? Error = null)
{
    public const string Active = "active";
    public const string Complete = "complete";
    public const string Failed = "failed";
}
