using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Sync;

/// <summary>
/// <c>GET /sync</c>: what changed for a user between two stream positions — rooms joined, invited to and left,
/// with their timelines and state — held open until something arrives or the timeout passes.
/// </summary>
public sealed class SyncService(CurrentStateStore current, EventStore events, AccountDataStore accountData,
    RoomSyncBuilder rooms, ForgottenRoomStore forgotten, Ephemeral.TypingService typing, Ephemeral.ReceiptService receipts,
    Ephemeral.ReceiptStore receiptStore, Presence.PresenceService presence, Push.Rules.PushRuleService pushRules, E2ee.E2eeSyncSection e2ee,
    SyncNotifier notifier, StreamPositions positions, TimeProvider time)
{
    public sealed record SyncResult(JsonObject Response, SyncToken NextBatch, bool IsEmpty);

    /// <summary>One sync request: who asks, from which device, from where, and how much.</summary>
    public sealed record SyncRequest(string UserId, string DeviceId, SyncToken? Since, SyncFilter Filter, bool FullState)
    {
        /// <summary>
        /// Whether asking from <see cref="Since"/> proves the client received everything up to it, so to-device messages
        /// up to it may go. True for a /sync request; a WebSocket round is not proof, as a frame written to a socket can
        /// be lost with the connection, so there only the token a client connects with confirms.
        /// </summary>
        public bool ConfirmsDelivery { get; init; } = true;
    }

    /// <param name="sessionLive">Re-checked after every wake-up, so a long poll on a revoked token ends at once with M_UNKNOWN_TOKEN.</param>
    public async Task<SyncResult> SyncAsync(SyncRequest request, TimeSpan timeout, CancellationToken ct, Func<ValueTask<bool>>? sessionLive = null)
    {
        var (userId, _, since, _, fullState) = request;
        var deadline = time.GetUtcNow() + timeout;
        if (since is { } acknowledged && request.ConfirmsDelivery)
            await e2ee.AcknowledgeAsync(userId, request.DeviceId, acknowledged, ct);
        while (true)
        {
            var version = notifier.Version(userId);
            var upto = await PositionsAsync(ct);
            var remaining = deadline - time.GetUtcNow();
            // When no stream moved since the token the response would be empty: wait without building it.
            if (upto != since || fullState || remaining <= TimeSpan.Zero)
            {
                var result = await ComputeAsync(request, upto, ct);
                remaining = deadline - time.GetUtcNow();
                if (!result.IsEmpty || since is null || fullState || remaining <= TimeSpan.Zero)
                    return result;
            }
            await notifier.WaitAsync(userId, version, remaining, ct);
            if (sessionLive is not null && !await sessionLive())
                throw Errors.MatrixException.UnknownToken("Access token has been revoked", softLogout: false);
            if (time.GetUtcNow() >= deadline)
                return await ComputeAsync(request, await PositionsAsync(ct), ct);
        }
    }

    /// <summary>
    /// Where every stream stands now. Read before anything else and bounding every query of the sync, so whatever
    /// commits meanwhile is left for the next sync instead of being half-included.
    /// </summary>
    private async Task<SyncToken> PositionsAsync(CancellationToken ct)
    {
        var streams = await positions.ReadAsync(ct);
        return SyncToken.From(streams.Positions).With(StreamNames.Typing, typing.Position);
    }

    private async Task<SyncResult> ComputeAsync(SyncRequest request, SyncToken upto, CancellationToken ct)
    {
        var (userId, deviceId, since, filter, fullState) = request;
        // A typing position beyond the current one comes from before a restart: everything typing is news again.
        var typingSince = since is { } s && s.Typing <= upto.Typing ? s.Typing : 0;
        var changedData = await accountData.ChangedAsync(userId, fullState ? 0 : since?.AccountData ?? 0, upto.AccountData, ct);
        // An incremental sync visits only the joined rooms where something happened, found with two reads,
        // instead of spending a few queries on every room the user is in.
        var incremental = since is not null && !fullState;
        var activeRooms = incremental ? await events.ActiveRoomsAsync(userId, since!.Value.Events, upto.Events, ct) : [];
        HashSet<string>? active = incremental
            ? [.. activeRooms.Select(r => r.RoomId), .. await receiptStore.RoomsChangedAsync(since!.Value.Receipts, upto.Receipts, ct)]
            : null;
        var allMemberships = await current.MembershipsOfUserAsync(userId, ct);
        // Who shares a room with whom changes only with a membership event, in a room the user is in or by the user.
        var membershipsChanged = activeRooms.Any(r => r.MembersChanged)
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
        if (prefetch is null)
            for (var i = 0; i < joinedRooms.Count; i++)
                sections[i] = await JoinedSectionAsync(joinedRooms[i], ct);
        else
            // With their rows read ahead, the rooms' sections are formatting independent of each other: every core takes a share.
            await Parallel.ForAsync(0, joinedRooms.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
                async (i, ct) => sections[i] = await JoinedSectionAsync(joinedRooms[i], ct));
        for (var i = 0; i < joinedRooms.Count; i++)
            if (sections[i] is { } section)
                join[joinedRooms[i].RoomId] = section;
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
                case "leave" or "ban" when (since is not null && isNew) || filter.IncludeLeave || fullState:
                    if (!await forgotten.IsForgottenAsync(userId, m.RoomId, ct))
                        leave[m.RoomId] = await rooms.LeftAsync(userId, deviceId, m.RoomId, new RoomSyncBuilder.Window(since?.Events, m.StreamOrdering, fullState), filter, ct);
                    break;
            }
        }

        async Task<JsonObject?> JoinedSectionAsync(CurrentStateStore.UserMembership m, CancellationToken ct)
        {
            var roomData = changedData.Where(d => d.RoomId == m.RoomId && filter.RoomAccountData.Matches(d.DataType, null)).ToList();
            var isNew = since is null || m.StreamOrdering > since.Value.Events;
            var typists = filter.Ephemeral.Matches("m.typing", null) ? typing.ChangedSince(m.RoomId, isNew || fullState ? 0 : typingSince) : null;
            if (active is not null && !isNew && typists is null && roomData.Count == 0 && !active.Contains(m.RoomId))
                return null;
            var receiptsAfter = isNew || fullState ? 0 : since!.Value.Receipts;
            var receipt = !filter.Ephemeral.Matches("m.receipt", null) ? null
                : prefetch?.For(m.RoomId) is { } prefetched ? Ephemeral.ReceiptService.ReceiptEvent(prefetched.Receipts.Where(r => r.StreamId > receiptsAfter), userId)
                : await receipts.ChangedAsync(m.RoomId, userId, receiptsAfter, upto.Receipts, ct);
            var window = new RoomSyncBuilder.Window(isNew ? null : since!.Value.Events, upto.Events, fullState);
            return await rooms.JoinedAsync(userId, deviceId, m.RoomId, window, filter, roomData, typists, receipt, ct, prefetch);
        }

        var encryption = await e2ee.BuildAsync(userId, deviceId, since, upto, membershipsChanged, ct);
        upto = upto.With(StreamNames.ToDevice, encryption.ToDeviceUpto);
        var presenceEvents = (await presence.ChangedForAsync(userId, fullState ? 0 : since?.Presence ?? 0, upto.Presence, ct))
            .Where(e => filter.Presence.Matches("m.presence", (string?)e["sender"]))
            .Take(filter.Presence.Limit ?? int.MaxValue).ToList();
        var initial = since is null || fullState;
        var global = new JsonArray(changedData
            .Where(d => d.RoomId == "" && filter.AccountData.Matches(d.DataType, null) && !(initial && d.DataType == Push.Rules.PushRuleService.AccountDataType))
            .Take(filter.AccountData.Limit ?? int.MaxValue).Select(d => (JsonNode)AccountDataEvent(d)).ToArray());
        // Clients read their push rules from here, so an initial sync always carries the current set, changed or not.
        if (initial && filter.AccountData.Matches(Push.Rules.PushRuleService.AccountDataType, null))
            global.Add(new JsonObject
            {
                ["type"] = Push.Rules.PushRuleService.AccountDataType,
                ["content"] = Push.Rules.PushRuleService.AccountDataContent(await pushRules.GetAsync(userId, ct)),
            });
        var response = new JsonObject
        {
            ["next_batch"] = upto.ToString(),
            ["rooms"] = new JsonObject { ["join"] = join, ["invite"] = invite, ["leave"] = leave, ["knock"] = knock },
            ["account_data"] = new JsonObject { ["events"] = global },
            ["presence"] = new JsonObject { ["events"] = new JsonArray(presenceEvents.Select(e => (JsonNode)e).ToArray()) },
            ["to_device"] = new JsonObject { ["events"] = encryption.ToDevice },
            ["device_lists"] = E2ee.E2eeSyncSection.DeviceListsJson(encryption.DeviceLists),
            ["device_one_time_keys_count"] = encryption.OneTimeKeyCounts,
            ["device_unused_fallback_key_types"] = encryption.UnusedFallbackKeyTypes,
        };
        return new SyncResult(response, upto, join.Count == 0 && invite.Count == 0 && leave.Count == 0 && knock.Count == 0 && global.Count == 0
            && presenceEvents.Count == 0 && encryption.IsEmpty);
    }

    internal static JsonObject AccountDataEvent(AccountDataStore.Entry d) =>
        new() { ["type"] = d.DataType, ["content"] = JsonNode.Parse(d.Content) };
}
