using System.Text.Json.Nodes;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Sync.Providers;

/// <summary>
/// <c>rooms</c>: the rooms joined, invited to, knocked on and left, with each joined room's timeline and state (the
/// events stream), its typing notice, receipts and room account data (those streams, per room).
/// </summary>
public sealed class RoomsSyncProvider(CurrentStateStore current, EventStore events, RoomSyncBuilder rooms, ForgottenRoomStore forgotten,
    TypingService typing, ReceiptService receipts, ReceiptStore receiptStore) : ISyncProvider
{
    public async Task<bool> AddAsync(SyncContext ctx, JsonObject response, CancellationToken ct)
    {
        var (userId, deviceId, since, filter, fullState) = (ctx.UserId, ctx.DeviceId, ctx.Since, ctx.Filter, ctx.FullState);
        var upto = ctx.Upto;
        // A typing position beyond the current one comes from before a restart: everything typing is news again.
        var typingSince = since is { } s && s.Typing <= upto.Typing ? s.Typing : 0;
        var changedData = await ctx.AccountDataChangesAsync(ct);
        // An incremental sync visits only the joined rooms where something happened, found with two reads,
        // instead of spending a few queries on every room the user is in.
        var incremental = !ctx.Initial;
        var activeRooms = incremental ? await events.ActiveRoomsAsync(userId.ToString(), since!.Value.Events, upto.Events, ct) : [];
        HashSet<string>? active = incremental
            ? [.. activeRooms.Select(r => r.RoomId), .. await receiptStore.RoomsChangedAsync(since!.Value.Receipts, upto.Receipts, ct)]
            : null;
        var allMemberships = await current.MembershipsOfUserAsync(userId.ToString(), ct);
        // Who shares a room with whom changes only with a membership event, in a room the user is in or by the user.
        ctx.MembershipsChanged = activeRooms.Any(r => r.MembersChanged)
            || allMemberships.Any(m => m.StreamOrdering > (since?.Events ?? long.MaxValue) && m.StreamOrdering <= upto.Events);
        var join = new JsonObject();
        var invite = new JsonObject();
        var leave = new JsonObject();
        var knock = new JsonObject();
        var memberships = allMemberships.Where(m => m.StreamOrdering <= upto.Events && filter.IncludesRoom(m.RoomId)).ToList();
        // An initial or full-state sync visits every joined room, so their rows are read for all of them at once.
        var prefetch = !incremental
            ? await rooms.PrefetchAsync(userId, memberships.Where(m => m.Membership == "join").Select(m => m.RoomId).ToList(), upto, filter, ct)
            : null;
        var joinedRooms = memberships.Where(m => m.Membership == "join").ToList();
        var sections = new JsonObject?[joinedRooms.Count];
        var newlyJoined = new bool[joinedRooms.Count];
        var joins = joinedRooms.Select(_ => (ISet<string>)new HashSet<string>(StringComparer.Ordinal)).ToArray();
        if (prefetch is null)
            for (var i = 0; i < joinedRooms.Count; i++)
                (sections[i], newlyJoined[i]) = await JoinedSectionAsync(i, ct);
        else
            // With their rows read ahead, the rooms' sections are formatting independent of each other: every core takes a share.
            await Parallel.ForAsync(0, joinedRooms.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
                async (i, ct) => (sections[i], newlyJoined[i]) = await JoinedSectionAsync(i, ct));
        for (var i = 0; i < joinedRooms.Count; i++)
            if (sections[i] is { } section)
            {
                join[joinedRooms[i].RoomId] = section;
                if (incremental)
                    await NoteNewlySharedAsync(joinedRooms[i].RoomId, joins[i], newlyJoined[i]);
            }
        foreach (var m in memberships)
        {
            var isNew = since is null || m.StreamOrdering > since.Value.Events;
            switch (m.Membership)
            {
                case "invite" when isNew || fullState:
                    invite[m.RoomId] = await rooms.StrippedAsync(userId, m.RoomId, "invite_state", ct);
                    break;
                case "knock" when isNew || fullState:
                    knock[m.RoomId] = await rooms.StrippedAsync(userId, m.RoomId, "knock_state", ct);
                    break;
                // include_leave brings back rooms left long ago in an initial or full-state sync only; an incremental
                // sync lists the rooms left since its token, as Synapse does.
                case "leave" or "ban" when (since is not null && isNew) || filter.IncludeLeave && ctx.Initial || fullState:
                    if (await forgotten.IsForgottenAsync(userId.ToString(), m.RoomId, ct))
                        break;
                    // A room joined and left since the token is new to the client: its leave section carries the whole state.
                    var leftSince = since is not null && (!isNew || await rooms.WasJoinedAsync(userId, m.RoomId, since.Value.Events, ct)) ? since.Value.Events : (long?)null;
                    leave[m.RoomId] = await rooms.LeftAsync(userId, deviceId, m.RoomId, m.EventId, new RoomSyncBuilder.Window(leftSince, m.StreamOrdering, fullState), filter, ct);
                    break;
            }
        }

        // Who came to share a room with the user: everyone in a room they joined, whoever joined one of theirs.
        async Task NoteNewlySharedAsync(string roomId, ISet<string> joins, bool joinedNow)
        {
            var self = userId.ToString();
            if (joinedNow)
                ctx.NewlySharedWith.UnionWith((await current.MembersAsync(roomId, ct)).Where(m => m.Membership == "join" && m.UserId != self).Select(m => m.UserId));
            else
                ctx.NewlySharedWith.UnionWith(joins.Where(u => u != self));
        }

        async Task<(JsonObject?, bool NewlyJoined)> JoinedSectionAsync(int i, CancellationToken ct)
        {
            var m = joinedRooms[i];
            var roomData = changedData.Where(d => d.RoomId == m.RoomId && filter.RoomAccountData.Matches(d.DataType, null)).ToList();
            // Newly joined, not only changed: a new display name is no rejoin, and must not resend the whole state.
            var isNew = since is null || (m.StreamOrdering > since.Value.Events && !await rooms.WasJoinedAsync(userId, m.RoomId, since.Value.Events, ct));
            var typists = filter.Ephemeral.Matches("m.typing", null) ? typing.ChangedSince(m.RoomId, isNew || fullState ? 0 : typingSince) : null;
            if (active is not null && !isNew && typists is null && roomData.Count == 0 && !active.Contains(m.RoomId))
                return (null, false);
            var receiptsAfter = isNew || fullState ? 0 : since!.Value.Receipts;
            var receipt = !filter.Ephemeral.Matches("m.receipt", null) ? null
                : prefetch?.For(m.RoomId) is { } prefetched ? ReceiptService.ReceiptEvent(prefetched.Receipts.Where(r => r.StreamId > receiptsAfter), userId)
                : await receipts.ChangedAsync(m.RoomId, userId, receiptsAfter, upto.Receipts, ct);
            var window = new RoomSyncBuilder.Window(isNew ? null : since!.Value.Events, upto.Events, fullState, NewlyJoined: isNew && since is not null);
            return (await rooms.JoinedAsync(userId, deviceId, m.RoomId, window, filter, roomData, typists, receipt, ct, prefetch,
                incremental ? joins[i] : null), isNew && since is not null);
        }

        response["rooms"] = new JsonObject { ["join"] = join, ["invite"] = invite, ["leave"] = leave, ["knock"] = knock };
        return join.Count > 0 || invite.Count > 0 || leave.Count > 0 || knock.Count > 0;
    }
}
