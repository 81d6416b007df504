namespace Homeserver.Core.Rooms.Admin;

/// <summary>A room deletion and how far it got; <see cref="Result"/> is filled in as the shutdown goes, so a failure says what was done.</summary>
public sealed record RoomDeletionTask(string DeleteId, string RoomId, string Status, RoomShutdownResult Result, string? Error)
{
    public const string Scheduled = "scheduled";
    public const string Active = "active";
    public const string Complete = "complete";
    public const string Failed = "failed";
}
