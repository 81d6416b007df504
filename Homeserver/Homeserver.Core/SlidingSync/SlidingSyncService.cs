using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Sync;
using Homeserver.Core.Sync.Providers;
using static Homeserver.Core.SlidingSync.SlidingSyncRequest;

namespace Homeserver.Core.SlidingSync;

/// <summary>
/// Simplified sliding sync (MSC4186, unstable format): the user's rooms as sorted, filtered lists of which the client
/// sees windows, plus rooms it subscribes to, each room sent in full once per connection and then only what changed.
/// What a connection has sent lives in the database per position (<see cref="ConnectionRooms"/>), so a client retrying
/// its last <c>pos</c> gets a correct answer and connections survive restarts. Long polls wait on the same
/// <see cref="SyncNotifier"/> as /sync.
/// </summary>
public sealed class SlidingSyncService(SlidingSyncConnectionStore store, SlidingRoomLists lists, SlidingRoomBuilder roomBuilder,
    SlidingSyncExtensions extensions, ToDeviceSyncProvider toDevice, SyncService sync, SyncNotifier notifier, EventStore events,
    ReceiptStore receipts, AccountDataStore accountData, TimeProvider time)
{
    /// <summary>A connection no request used for this long is dropped, as Synapse drops them.</summary>
    public static readonly TimeSpan UnusedExpiry = TimeSpan.FromDays(7);

    public static readonly TimeSpan ExpiryInterval = TimeSpan.FromHours(1);

    private sealed record Round(SyncToken Upto, JsonObject Response, ConnectionRooms Sent, bool News);

    /// <param name="sessionLive">Re-checked after every wake-up, so a long poll on a revoked token ends at once with M_UNKNOWN_TOKEN.</param>
    public async Task<JsonObject> SyncAsync(SlidingSyncRequest request, string? pos, TimeSpan timeout, CancellationToken ct,
        Func<ValueTask<bool>>? sessionLive = null)
    {
        var userId = request.UserId.ToString();
        var deadline = time.GetUtcNow() + timeout;
        SlidingSyncPosition? position = null;
        long? connectionId = null;
        var sent = ConnectionRooms.Empty();
        if (pos is not null)
        {
            var presented = SlidingSyncPosition.Parse(pos);
            var row = await store.GetAsync(userId, request.DeviceId, request.ConnId, presented.PositionId, ct) ?? throw SlidingSyncPosition.UnknownPos();
            await store.AcknowledgeAsync(row.ConnectionId, presented.PositionId, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            (position, connectionId, sent) = (presented, row.ConnectionId, ConnectionRooms.FromJson(row.Rooms));
        }
        if (request.Extensions.ToDevice is { Enabled: true, Since: { } since })
            await toDevice.AcknowledgeAsync(userId, request.DeviceId, since, ct);
        Round? round = null;
        while (true)
        {
            var version = notifier.Version(userId);
            var upto = await sync.CurrentTokenAsync(ct);
            if (round is null || round.Upto != upto)
                round = await ComputeAsync(request, position?.Token, sent, upto, ct);
            // A new connection answers at once, as the client has nothing yet.
            if (round.News || position is null || time.GetUtcNow() >= deadline)
                return await FinishAsync(request, connectionId, position, sent, round, ct);
            await notifier.WaitAsync(userId, version, deadline - time.GetUtcNow(), ct);
            if (sessionLive is not null && !await sessionLive())
                throw Errors.MatrixException.UnknownToken("Access token has been revoked", softLogout: false);
        }
    }

    /// <summary>Stores what the round sent, only when that changed, and names the position in the response.</summary>
    private async Task<JsonObject> FinishAsync(SlidingSyncRequest request, long? connectionId, SlidingSyncPosition? position, ConnectionRooms sent,
        Round round, CancellationToken ct)
    {
        long positionId;
        if (connectionId is not { } connection)
            (_, positionId) = await store.CreateAsync(request.UserId.ToString(), request.DeviceId, request.ConnId, round.Sent.ToJson(),
                time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        else
            positionId = round.Sent.SameAs(sent) ? position!.Value.PositionId : await store.AddPositionAsync(connection, round.Sent.ToJson(), ct);
        var response = new JsonObject { ["pos"] = new SlidingSyncPosition(positionId, round.Upto).ToString() };
        if (request.TxnId is not null)
            response["txn_id"] = request.TxnId;
        foreach (var (key, value) in round.Response)
            response[key] = value?.DeepClone();
        return response;
    }

    private async Task<Round> ComputeAsync(SlidingSyncRequest request, SyncToken? from, ConnectionRooms sent, SyncToken upto, CancellationToken ct)
    {
        var listed = await lists.BuildAsync(request, from, upto, ct);
        var configs = new Dictionary<string, RoomConfig>(StringComparer.Ordinal);
        void Add(string roomId, RoomConfig config) => configs[roomId] = configs.TryGetValue(roomId, out var c) ? c.Merge(config) : config;
        foreach (var (name, list) in request.Lists)
            foreach (var roomId in listed.Lists[name].Window)
                Add(roomId, list.Config);
        // A subscription to a room the user has no membership in shows nothing.
        var subscribed = request.Subscriptions.Keys.Where(listed.Rooms.ContainsKey).ToList();
        foreach (var roomId in subscribed)
            Add(roomId, request.Subscriptions[roomId]);

        var next = sent.Copy();
        var rooms = new JsonObject();
        var roomFrom = new Dictionary<string, SyncToken?>(StringComparer.Ordinal);
        foreach (var (roomId, config) in configs)
        {
            var key = config.Key();
            var prior = sent.Get(roomId);
            var since = sent.From(roomId, from);
            roomFrom[roomId] = since;
            var entry = await roomBuilder.BuildAsync(request.UserId, request.DeviceId, listed.Rooms[roomId], config, since, from,
                wholeState: prior is not null && prior.Config != key, upto, ct);
            if (entry is not null)
                rooms[roomId] = entry;
            next.SentLive(roomId, key);
        }
        if (from is { } f)
            await MarkFallenBehindAsync(request, next, configs, listed, f, upto, ct);

        var (ext, extNews) = await extensions.BuildAsync(new SlidingSyncExtensions.Scope(request, from, upto,
            listed.Lists.ToDictionary(l => l.Key, l => l.Value.Window), subscribed, r => roomFrom.GetValueOrDefault(r)), ct);
        var response = new JsonObject
        {
            ["lists"] = new JsonObject(listed.Lists.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)new JsonObject { ["count"] = l.Value.Count }))),
            ["rooms"] = rooms,
            ["extensions"] = ext,
        };
        return new Round(upto, response, next, rooms.Count > 0 || extNews);
    }

    /// <summary>
    /// A room sent live that changed while outside every window keeps only what it had at <paramref name="from"/>, so it
    /// gets what it missed when it comes back, rather than a gap (what other servers' users saw after idling).
    /// </summary>
    private async Task MarkFallenBehindAsync(SlidingSyncRequest request, ConnectionRooms next, IReadOnlyDictionary<string, RoomConfig> shown,
        SlidingRoomLists.Result listed, SyncToken from, SyncToken upto, CancellationToken ct)
    {
        var userId = request.UserId.ToString();
        var changed = new HashSet<string>((await events.ActiveRoomsAsync(userId, from.Events, upto.Events, ct)).Select(r => r.RoomId), StringComparer.Ordinal);
        changed.UnionWith(await receipts.RoomsChangedAsync(from.Receipts, upto.Receipts, ct));
        changed.UnionWith((await accountData.ChangedAsync(userId, from.AccountData, upto.AccountData, ct)).Select(d => d.RoomId));
        changed.UnionWith(listed.Rooms.Values.Where(r => r.MembershipOrdering > from.Events).Select(r => r.RoomId));
        foreach (var roomId in next.RoomIds.ToList())
            if (!shown.ContainsKey(roomId) && changed.Contains(roomId))
                next.FellBehind(roomId, from);
    }

    /// <summary>Drops connections unused for <see cref="UnusedExpiry"/>: a periodic round.</summary>
    public Task ExpireAsync(CancellationToken ct) =>
        store.DeleteUnusedAsync((time.GetUtcNow() - UnusedExpiry).ToUnixTimeMilliseconds(), ct);
}
