using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;

using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms;

/// <summary>
/// The read paths of a room (<c>/messages</c>, <c>/event</c>, <c>/state</c>, <c>/members</c>), each answering only
/// what the user's membership and the room's history visibility allow.
/// </summary>
public sealed class RoomReadService(RoomStore rooms, EventStore events, StateService state, CurrentStateStore current,
    VisibilityService visibility, RoomEventGuard guard, Relations.RelationAggregator aggregator, Memberships.ForgottenRoomStore forgotten, Ingest.ClientTxnStore txns,
    IHistoryBackfill backfill, TimeProvider time)
{
    public const int MaxPageSize = 1000;

    /// <param name="State">The membership events of the chunk's senders, when the filter lazy-loads members; null otherwise.</param>
    public sealed record Page(IReadOnlyList<RawJson> Chunk, string Start, string? End, IReadOnlyList<JsonObject>? State = null);

    public Task<RoomVersion> VersionOfAsync(RoomId roomId, CancellationToken ct) => rooms.VersionOfAsync(roomId.ToString(), ct);

    /// <summary>
    /// A page of the timeline. Pages are cut by stream position and then filtered, so a page of hidden events
    /// still yields an <c>end</c> token and pagination continues past it (checklist row 55). A page holds at most
    /// <see cref="PageBudget.MaxBytes"/> of events, and they are answered as the bytes formatted, not as JSON trees.
    /// </summary>
    public async Task<Page> MessagesAsync(UserId userId, string? deviceId, RoomId roomId, string? from, string? to, bool backwards, int limit, CancellationToken ct,
        RoomEventFilter? filter = null)
    {
        var version = await VersionOfAsync(roomId, ct);
        await EnsureCanReadAsync(userId, roomId, version, ct);
        limit = Math.Clamp(limit, 1, MaxPageSize);
        // A user who left pages back from their leave, as Synapse does, whatever later token they give (a sync's
        // next_batch, say): the newest events they may see end there.
        var start = from is null ? (backwards ? long.MaxValue : long.MinValue) : StreamToken.Bound(from, upper: backwards);
        if (backwards && await DepartedAtAsync(userId, roomId, ct) is { } departed)
            start = Math.Min(start, departed);
        var stop = to is null ? (backwards ? long.MinValue : long.MaxValue) : StreamToken.Bound(to, upper: !backwards);
        // Paging back to the start of what is held here first fetches what other servers hold before it.
        if (backwards)
            await backfill.BeforeAsync(roomId, start, limit, ct);
        var rows = PageBudget.Fit(await events.PageAsync(roomId.ToString(), start, stop, backwards, limit, ct));
        var visible = await visibility.FilterAsync(userId, version, filter is null ? rows : rows.Where(filter.Matches).ToList(), ct);
        var startToken = from ?? StreamToken.Format(!backwards ? long.MinValue : start != long.MaxValue ? start : (await events.MaxStreamOrderingAsync(ct)) + 1);
        var formatted = await FormatEventsUtf8Async(userId, deviceId, version, visible, ct);
        // As Synapse answers and clients page (SyTest checks it): `end` is left out only when the page found no
        // event, at the start (or end) of the room; a short page still gives one, whose next page is empty.
        var end = rows.Count > 0 ? StreamToken.Format(rows[^1].StreamOrdering) : null;
        var members = filter is { LazyLoadMembers: true } ? await SendersMembershipAsync(visible, version, ct) : null;
        return new Page(formatted.Select(e => new RawJson(e)).ToList(), startToken, end, members);
    }

    /// <summary>
    /// The membership events of the senders of <paramref name="page"/>, in the room's state at its first event, so a
    /// client lazy-loading members can show who sent what. As in Synapse, members already sent are sent again.
    /// </summary>
    private async Task<IReadOnlyList<JsonObject>> SendersMembershipAsync(IReadOnlyList<EventRow> page, RoomVersion version, CancellationToken ct)
    {
        if (page.Count == 0 || page[0].StateGroup is not { } group)
            return [];
        var senders = page.Select(r => r.Sender).ToHashSet(StringComparer.Ordinal);
        var members = (await state.GetGroupAsync(group, ct))
            .Where(s => s.Key.Type == EventTypes.Member && senders.Contains(s.Key.StateKey))
            .ToDictionary(s => s.Key, s => s.Value);
        return await FormatStateAsync(members, version, ct);
    }

    /// <summary>Just after the user's leave or ban event when that is their membership of the room; null otherwise.</summary>
    private async Task<long?> DepartedAtAsync(UserId userId, RoomId roomId, CancellationToken ct) =>
        (await current.MembershipsOfUserAsync(userId.ToString(), ct)).FirstOrDefault(m => m.RoomId == roomId.ToString()) is { Membership: "leave" or "ban" } m
            ? m.StreamOrdering + 1
            : null;

    public async Task<JsonObject> EventAsync(UserId userId, string? deviceId, RoomId roomId, EventId eventId, CancellationToken ct)
    {
        var version = await VersionOfAsync(roomId, ct);
        var row = await guard.VisibleAsync(userId, roomId, version, eventId, ct);
        return (await FormatEventsAsync(userId, deviceId, version, [row], ct))[0];
    }

    /// <summary>An event found by its ID alone (the deprecated <c>/events/{eventId}</c>), to whoever may see it in its room.</summary>
    public async Task<JsonObject> EventAsync(UserId userId, string? deviceId, EventId eventId, CancellationToken ct)
    {
        var row = await events.GetAsync(eventId.ToString(), ct) ?? throw MatrixException.NotFound(RoomEventGuard.NotFound);
        return await EventAsync(userId, deviceId, RoomId.Parse(row.RoomId), eventId, ct);
    }

    /// <summary>
    /// Client events for rows the caller has already checked, with their relation aggregations, and for the events
    /// <paramref name="deviceId"/> sent, their transaction IDs; what <paramref name="readAhead"/> holds is not read again.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> FormatEventsAsync(UserId userId, string? deviceId, RoomVersion version, IReadOnlyList<EventRow> rows,
        CancellationToken ct, EventReadAhead? readAhead = null) =>
        (await FormatEventsUtf8Async(userId, deviceId, version, rows, ct, readAhead)).Select(e => JsonNode.Parse(e)!.AsObject()).ToList();

    /// <summary><see cref="FormatEventsAsync"/> as UTF-8 JSON, for responses that carry many events unchanged (sync).</summary>
    public async Task<IReadOnlyList<byte[]>> FormatEventsUtf8Async(UserId userId, string? deviceId, RoomVersion version, IReadOnlyList<EventRow> rows,
        CancellationToken ct, EventReadAhead? readAhead = null)
    {
        if (rows.Count == 0)
            return [];
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var user = userId.ToString();
        var relations = readAhead is not null && readAhead.Relations.Covers(rows)
            ? readAhead.Relations
            : await aggregator.LoadAsync(userId, rows.Select(r => r.EventId).ToList(), ct);
        // Clients show who removed a message and why, so redacted events carry the whole redaction event.
        var redactedBy = rows.Where(r => r.RedactedBy is not null).Select(r => r.RedactedBy!).Distinct().ToList();
        var redactions = readAhead is null ? await events.GetManyAsync(redactedBy, ct) : await readAhead.GetManyAsync(events, redactedBy, ct);
        var own = deviceId is null ? [] : rows.Where(r => r.Sender == user).Select(r => r.EventId).ToList();
        var txnIds = await txns.OfEventsAsync(user, deviceId ?? "", own, ct);
        var formatted = new byte[rows.Count][];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var redactedBecause = row.RedactedBy is { } by && redactions.TryGetValue(by, out var redaction)
                ? ClientEventFormatter.FormatUtf8(redaction, version, now)
                : null;
            formatted[i] = ClientEventFormatter.FormatUtf8(row, version, now,
                new ClientEventFormatter.Unsigned(txnIds.GetValueOrDefault(row.EventId),
                    Relations.RelationAggregator.RelationsOf(user, version, row, relations, now), redactedBecause));
        }
        return formatted;
    }

    /// <summary>The state the user may see: current state while joined, the state when they left otherwise.</summary>
    public async Task<IReadOnlyList<JsonObject>> StateAsync(UserId userId, RoomId roomId, CancellationToken ct)
    {
        var version = await VersionOfAsync(roomId, ct);
        var snapshot = await VisibleStateAsync(userId, roomId, version, ct);
        return await FormatStateAsync(snapshot, version, ct);
    }

    /// <summary>The room's current state, whoever asks: for server admins, whom no membership limits.</summary>
    public async Task<IReadOnlyList<JsonObject>> CurrentStateAsync(RoomId roomId, CancellationToken ct) =>
        await FormatStateAsync(await current.GetStateAsync(roomId.ToString(), ct), await VersionOfAsync(roomId, ct), ct);

    public async Task<JsonObject> StateEventAsync(UserId userId, RoomId roomId, string type, string stateKey, CancellationToken ct)
    {
        var version = await VersionOfAsync(roomId, ct);
        var snapshot = await VisibleStateAsync(userId, roomId, version, ct);
        if (!snapshot.TryGetValue(new StateEventKey(type, stateKey), out var eventId) || await events.GetIncludingOutliersAsync(eventId, ct) is not { } row)
            throw MatrixException.NotFound("State event not found");
        return ClientEventFormatter.Format(row, version, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>Membership events of the room, optionally at an earlier point (<c>at</c>) and filtered by membership.</summary>
    public async Task<IReadOnlyList<JsonObject>> MembersAsync(UserId userId, RoomId roomId, string? at, string? membership, string? notMembership, CancellationToken ct)
    {
        var version = await VersionOfAsync(roomId, ct);
        var snapshot = await VisibleStateAsync(userId, roomId, version, ct);
        if (at is not null)
        {
            var position = StreamToken.Parse(at);
            var before = await events.PageAsync(roomId.ToString(), position + 1, long.MinValue, backwards: true, 1, ct);
            if (before.Count > 0 && before[0].StateGroup is { } g)
                snapshot = await state.GetGroupAsync(g, ct);
        }
        var members = snapshot.Where(kv => kv.Key.Type == EventTypes.Member).ToDictionary();
        var formatted = await FormatStateAsync(members, version, ct);
        return formatted.Where(e =>
        {
            var m = JsonFields.String(e["content"], "membership");
            return (membership is null || m == membership) && (notMembership is null || m != notMembership);
        }).ToList();
    }

    public Task<IReadOnlyList<string>> JoinedRoomsAsync(UserId userId, CancellationToken ct) => current.RoomsOfUserAsync(userId.ToString(), "join", ct);

    /// <summary>The user's current membership of the room (<c>join</c>, <c>ban</c>, …); null when they never had one.</summary>
    public Task<string?> MembershipAsync(RoomId roomId, UserId userId, CancellationToken ct) =>
        current.MembershipAsync(roomId.ToString(), userId.ToString(), ct);

    public async Task<bool> IsJoinedAsync(RoomId roomId, UserId userId, CancellationToken ct) =>
        await current.MembershipAsync(roomId.ToString(), userId.ToString(), ct) == "join";

    public async Task EnsureCanReadAsync(UserId userId, RoomId roomId, RoomVersion version, CancellationToken ct)
    {
        var membership = await current.MembershipAsync(roomId.ToString(), userId.ToString(), ct);
        // A forgotten room's history is no longer the user's to read (spec "Leaving rooms", forget).
        if (membership is "join" or "invite" || (membership is "leave" or "ban" && !await forgotten.IsForgottenAsync(userId.ToString(), roomId.ToString(), ct)))
            return;
        if (await IsWorldReadableAsync(roomId, version, ct))
            return;
        throw MatrixException.Forbidden("You are not a member of this room");
    }

    private async Task<IReadOnlyDictionary<StateEventKey, string>> VisibleStateAsync(UserId userId, RoomId roomId, RoomVersion version, CancellationToken ct)
    {
        var members = await current.MembersAsync(roomId.ToString(), ct);
        var mine = members.FirstOrDefault(m => m.UserId == userId.ToString());
        if (mine?.Membership == "join")
            return await current.GetStateAsync(roomId.ToString(), ct);
        if (mine?.Membership is "leave" or "ban" && !await forgotten.IsForgottenAsync(userId.ToString(), roomId.ToString(), ct)
            && await events.GetAsync(mine.EventId, ct) is { StateGroup: { } g })
            return await state.GetGroupAsync(g, ct);
        if (await IsWorldReadableAsync(roomId, version, ct))
            return await current.GetStateAsync(roomId.ToString(), ct);
        throw MatrixException.Forbidden("You are not joined to this room");
    }

    public async Task<bool> IsWorldReadableAsync(RoomId roomId, RoomVersion version, CancellationToken ct)
    {
        var pdu = await state.GetStateEventAsync(await current.GetStateAsync(roomId.ToString(), ct), EventTypes.HistoryVisibility, version, ct);
        return pdu is not null && HistoryVisibility.Parse(pdu) == HistoryVisibility.WorldReadable;
    }

    private async Task<IReadOnlyList<JsonObject>> FormatStateAsync(IReadOnlyDictionary<StateEventKey, string> snapshot, RoomVersion version, CancellationToken ct)
    {
        var rows = await events.GetManyAsync(snapshot.Values.ToList(), ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return rows.Values.OrderBy(r => r.StreamOrdering).Select(r => ClientEventFormatter.Format(r, version, now)).ToList();
    }
}
