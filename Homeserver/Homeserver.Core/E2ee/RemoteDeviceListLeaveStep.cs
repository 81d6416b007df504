using System.Data.Common;
using Homeserver.Core.Configuration;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Streams;

namespace Homeserver.Core.E2ee;

/// <summary>
/// Drops the kept device lists of other servers' users who, after a membership event leaves a room (ours or theirs),
/// share no room with ours any more, in the event's transaction. While no room is shared their server tells us
/// nothing of their changes, so a list kept across that time could be stale when a room is shared again; dropped, it
/// is fetched whole at the next need, as Synapse stops tracking users it no longer shares a room with.
/// </summary>
public sealed class RemoteDeviceListLeaveStep(ServerIdentity server) : IEventTransactionStep
{
    public Task<Func<StreamTransaction, long, Task>?> PrepareAsync(IngestContext ctx, CancellationToken ct)
    {
        var (pdu, stateGroupBefore) = (ctx.Event, ctx.StateBefore?.Group);
        if (pdu.Type != EventTypes.Member || pdu.StateKey is not { } target || !UserId.TryParse(target, out var targetId)
            || (PduReader.TryGetString(pdu.Content["membership"], out var membership) && membership == "join"))
            return Task.FromResult<Func<StreamTransaction, long, Task>?>(null);
        return Task.FromResult<Func<StreamTransaction, long, Task>?>(async (st, _) =>
        {
            var (c, tx) = (st.Connection, st.Transaction);
            var roomId = pdu.RoomId.ToString();
            // A local user leaving may end the sharing with every remote member; a remote user leaving, only their own.
            var candidates = targetId.Value.ServerName == server.ServerName
                ? await RemoteDeviceListStore.KeptMembersAsync(c, tx, roomId, ct)
                : [target];
            foreach (var user in candidates)
                if (!await SharesARoomWithOursAsync(c, tx, user, ct))
                    await RemoteDeviceListStore.ForgetAsync(c, tx, user, ct);
        });
    }

    private async Task<bool> SharesARoomWithOursAsync(DbConnection c, DbTransaction tx, string userId, CancellationToken ct) =>
        (await CurrentStateStore.UsersSharingRoomWithAsync(c, tx, userId, ct))
            .Any(u => UserId.TryParse(u, out var id) && id.Value.ServerName == server.ServerName);
}
