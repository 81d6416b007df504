using Homeserver.Core.Configuration;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Federation.Edus;

/// <summary>The other servers an EDU about a room or a user goes to: those with a joined member there, never ours.</summary>
public sealed class EduDestinations(CurrentStateStore current, ServerIdentity server)
{
    public async Task<IReadOnlyList<string>> OfRoomAsync(RoomId roomId, CancellationToken ct) =>
        (await current.JoinedServersAsync(roomId.ToString(), ct)).Where(s => s != server.ServerName).ToList();

    /// <summary>The servers with a member joined to a room the user is joined to.</summary>
    public async Task<IReadOnlyList<string>> SharingARoomWithAsync(string userId, CancellationToken ct) =>
        OtherServers(await current.UsersSharingRoomWithAsync(userId, ct), server.ServerName);

    /// <summary>The servers of <paramref name="userIds"/> but <paramref name="ours"/>, each once.</summary>
    public static IReadOnlyList<string> OtherServers(IEnumerable<string> userIds, string ours) =>
        userIds.Select(u => UserId.TryParse(u, out var id) ? id.Value.ServerName : null)
            .OfType<string>().Where(s => s != ours).Distinct(StringComparer.Ordinal).ToList();
}
