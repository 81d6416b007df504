using System.Text.Json.Nodes;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;
using Homeserver.Core.Sync.Peeks;

namespace Homeserver.Core.Sync.Providers;

/// <summary>
/// <c>rooms</c>: the rooms joined, invited to, knocked on and left, with each joined room's timeline and state (the
/// events stream), its typing notice, receipts and room account data (those streams, per room); and under <c>peek</c>
/// the world-readable rooms the device peeks into (<see cref="PeekService"/>).
/// </summary>
public sealed class RoomsSyncProvider(CurrentStateStore current, EventStore events, RoomSyncBuilder rooms, ForgottenRoomStore forgotten,
    TypingService typing, ReceiptService receipts, ReceiptStore receiptStore, VisibilityService visibility, PeekStore peeks, RoomReadService reads) : ISyncProvider
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
        IReadOnlySet<string>? ignored = null;
        foreach (var m in memberships)
        {
            var isNew = since is null || m.StreamOrdering > since.Value.Events;
            switch (m.Membership)
            {
                case "invite" when isNew || fullState:
                    // An invite from a user the invitee ignores is not delivered, as in Synapse; it stays pending in the room.
                    ignored ??= await visibility.IgnoredUsersAsync(userId, ct);
                    if (ignored.Count > 0 && await events.GetAsync(m.EventId, ct) is { } inviteEvent && ignored.Contains(inviteEvent.Sender))
                        break;
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

        var peek = await PeekedAsync(ctx, allMemberships, ct);
        response["rooms"] = new JsonObject { ["join"] = join, ["invite"] = invite, ["leave"] = leave, ["knock"] = knock };
        if (peek.Count > 0)
            response["rooms"]!["peek"] = peek;
        return join.Count > 0 || invite.Count > 0 || leave.Count > 0 || knock.Count > 0 || peek.Count > 0;
    }

    /// <summary>
    /// The rooms this device peeks into and is not joined to, each like a joined room: from the start for a peek begun
    /// since the token (its position is of the account-data stream), else what happened in the window. A room that is
    /// no longer world-readable shows nothing.
    /// </summary>
    private async Task<JsonObject> PeekedAsync(SyncContext ctx, IReadOnlyList<CurrentStateStore.UserMembership> memberships, CancellationToken ct)
    {
        var peek = new JsonObject();
        var (since, upto) = (ctx.Since, ctx.Upto);
        foreach (var p in await peeks.OfDeviceAsync(ctx.UserId.ToString(), ctx.DeviceId, ct))
        {
            if (p.StreamId > upto.AccountData || !ctx.Filter.IncludesRoom(p.RoomId)
                || memberships.Any(m => m.RoomId == p.RoomId && m.Membership == "join"))
                continue;
            var roomId = RoomId.Parse(p.RoomId);
            if (!await reads.IsWorldReadableAsync(roomId, await reads.VersionOfAsync(roomId, ct), ct))
                continue;
            var isNew = since is null || p.StreamId > since.Value.AccountData;
            var window = new RoomSyncBuilder.Window(isNew ? null : since!.Value.Events, upto.Events, ctx.FullState);
            // The room's current state is anyone's to read while it is world-readable (GET /state), so its events show in
            // the timeline where they happened, as a joined member sees them; other past events only as history
            // visibility lets a non-member see them.
            if (await rooms.JoinedAsync(ctx.UserId, ctx.DeviceId, p.RoomId, window, ctx.Filter, [], null, null, ct) is { } section)
                peek[p.RoomId] = section;
        }
        return peek;
    }
}
