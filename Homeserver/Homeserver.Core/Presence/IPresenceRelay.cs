namespace Homeserver.Core.Presence;

/// <summary>
/// Where a user's presence changes go besides the local users sharing a room with them: the servers sharing one,
/// which federation implements. Called for changes of our own users only.
/// </summary>
public interface IPresenceRelay
{
    Task ChangedAsync(string userId, string state, string? statusMsg, long lastActiveAgo, bool currentlyActive, CancellationToken ct);
}
