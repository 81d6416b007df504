using System.Globalization;
using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Sync;
using Homeserver.Core.Sync.Providers;

namespace Homeserver.Core.SlidingSync;

/// <summary>
/// The <c>extensions</c> of a sliding sync response, each from the /sync provider or service of its stream: to-device
/// messages (from the extension's own <c>since</c>, which it acknowledges), device lists and key counts, account data,
/// receipts and typing of the rooms the extension covers, each room from where the connection left it.
/// </summary>
public sealed class SlidingSyncExtensions(ToDeviceSyncProvider toDevice, DeviceListsSyncProvider deviceLists, KeyCountsSyncProvider keyCounts,
    AccountDataSyncProvider globalAccountData, AccountDataStore accountData, ReceiptService receipts, TypingService typing)
{
    /// <param name="Windows">The rooms each list's ranges hold.</param>
    /// <param name="Subscribed">The subscribed rooms the user may see.</param>
    /// <param name="RoomFrom">Where a room's news starts for this connection; null for a room sent in full now.</param>
    public sealed record Scope(SlidingSyncRequest Request, SyncToken? From, SyncToken Upto, IReadOnlyDictionary<string, IReadOnlyList<string>> Windows,
        IReadOnlyList<string> Subscribed, Func<string, SyncToken?> RoomFrom);

    /// <summary>The extensions' part of the response; true when it holds news (key counts alone are not).</summary>
    public async Task<(JsonObject Extensions, bool News)> BuildAsync(Scope scope, CancellationToken ct)
    {
        var request = scope.Request;
        var ext = request.Extensions;
        var result = new JsonObject();
        var news = false;
        var syncRequest = new SyncService.SyncRequest(request.UserId, request.DeviceId, scope.From, SyncFilter.Default, FullState: false);
        var ctx = new SyncContext(syncRequest, scope.Upto, accountData) { MembershipsChanged = true };
        if (ext.ToDevice.Enabled)
        {
            var since = ext.ToDevice.Since ?? 0;
            var (events, heldBackAt) = await toDevice.PendingAsync(request.UserId.ToString(), request.DeviceId, since, scope.Upto.ToDevice, ext.ToDevice.Limit, ct);
            result["to_device"] = new JsonObject
            {
                ["next_batch"] = (heldBackAt ?? Math.Max(since, scope.Upto.ToDevice)).ToString(CultureInfo.InvariantCulture),
                ["events"] = events,
            };
            news |= events.Count > 0;
        }
        if (ext.E2ee)
        {
            var e2ee = new JsonObject();
            // Device-list changes are relative to a position: a new connection fetches keys with /keys/query instead.
            news |= await deviceLists.AddAsync(ctx, e2ee, ct);
            await keyCounts.AddAsync(ctx, e2ee, ct);
            result["e2ee"] = e2ee;
        }
        if (ext.AccountData.Enabled)
        {
            var rooms = RoomsIn(scope, ext.AccountData);
            var global = new JsonObject();
            news |= await globalAccountData.AddAsync(ctx, global, ct);
            var earliest = rooms.Select(r => scope.RoomFrom(r)?.AccountData ?? 0).DefaultIfEmpty(scope.Upto.AccountData).Min();
            var changed = await accountData.ChangedAsync(request.UserId.ToString(), earliest, scope.Upto.AccountData, ct);
            var byRoom = new JsonObject();
            foreach (var room in rooms)
            {
                var after = scope.RoomFrom(room)?.AccountData ?? 0;
                var entries = changed.Where(d => d.RoomId == room && d.StreamId > after).Select(d => (JsonNode)AccountDataSyncProvider.Event(d)).ToArray();
                if (entries.Length > 0)
                    byRoom[room] = new JsonArray(entries);
            }
            news |= byRoom.Count > 0;
            result["account_data"] = new JsonObject { ["global"] = global["account_data"]!["events"]!.DeepClone(), ["rooms"] = byRoom };
        }
        if (ext.Receipts.Enabled)
        {
            var byRoom = new JsonObject();
            foreach (var room in RoomsIn(scope, ext.Receipts))
                if (await receipts.ChangedAsync(room, request.UserId, scope.RoomFrom(room)?.Receipts ?? 0, scope.Upto.Receipts, ct) is { } receipt)
                    byRoom[room] = receipt;
            news |= byRoom.Count > 0;
            result["receipts"] = new JsonObject { ["rooms"] = byRoom };
        }
        if (ext.Typing.Enabled)
        {
            var byRoom = new JsonObject();
            foreach (var room in RoomsIn(scope, ext.Typing))
            {
                // A typing position beyond the current one comes from before a restart: the room's typing is news again.
                var since = scope.RoomFrom(room) is { } from && from.Typing <= scope.Upto.Typing ? from.Typing : 0;
                if (typing.ChangedSince(room, since) is { } users && (since > 0 || users.Count > 0))
                    byRoom[room] = new JsonObject
                    {
                        ["type"] = "m.typing",
                        ["content"] = new JsonObject { ["user_ids"] = new JsonArray(users.Select(u => (JsonNode)u).ToArray()) },
                    };
            }
            news |= byRoom.Count > 0;
            result["typing"] = new JsonObject { ["rooms"] = byRoom };
        }
        return (result, news);
    }

    /// <summary>The rooms an extension covers: those of the lists and subscriptions it names, all of them for <c>*</c> or none named.</summary>
    private static List<string> RoomsIn(Scope scope, SlidingSyncRequest.RoomScope extension)
    {
        var rooms = new List<string>();
        foreach (var (list, window) in scope.Windows)
            if (extension.Lists is null || extension.Lists.Contains("*") || extension.Lists.Contains(list))
                rooms.AddRange(window);
        foreach (var room in scope.Subscribed)
            if (extension.Rooms is null || extension.Rooms.Contains("*") || extension.Rooms.Contains(room))
                rooms.Add(room);
        return rooms.Distinct().ToList();
    }
}
