using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.E2ee;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Presence;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Streams;
using Homeserver.Core.ToDevice;

namespace Homeserver.Core.AppServices;

/// <summary>
/// What a transaction carries besides its events. With <c>receive_ephemeral</c> (MSC2409): the typing, receipts and
/// presence of the rooms and users the service is interested in, under <c>ephemeral</c> and Synapse's unstable name.
/// With <c>org.matrix.msc3202</c>: to-device messages to its users' devices, the users of interest whose device lists
/// changed, and the key stock of its users who appear in the transaction, as Synapse sends them.
/// </summary>
public sealed class AppServiceTransactionExtras(
    AppServiceRegistry registry,
    AppServiceInterest interest,
    ReceiptStore receipts,
    PresenceService presence,
    TypingService typing,
    ToDeviceStore toDevice,
    DeviceListStore deviceLists,
    DeviceStore devices,
    DeviceKeyStore keys)
{
    public const string Ephemeral = "ephemeral";
    public const string EphemeralUnstable = "de.sorunome.msc2409.ephemeral";
    public const string ToDevice = "org.matrix.msc2409.to_device";
    public const string ToDeviceUnstable = "de.sorunome.msc2409.to_device";
    public const string DeviceLists = "org.matrix.msc3202.device_lists";
    public const string OneTimeKeyCounts = "org.matrix.msc3202.device_one_time_keys_count";
    public const string FallbackKeyTypes = "org.matrix.msc3202.device_unused_fallback_key_types";

    /// <summary>As with a sync response, at most this many to-device messages go in one transaction; the rest follow.</summary>
    public const int MaxToDevicePerTransaction = 100;

    /// <param name="Fields">The body's fields besides <c>events</c>; empty when there is nothing to send.</param>
    /// <param name="Positions">Where the service stands once the transaction is taken.</param>
    /// <param name="ToDeviceIds">The to-device messages it delivers, to leave their inboxes once taken.</param>
    public sealed record Result(JsonObject Fields, AppServiceStreamPositions Positions, IReadOnlyList<long> ToDeviceIds);

    public async Task<Result> CollectAsync(AppServiceRegistration service, AppServiceStreamPositions from, StreamPositions.Snapshot upto,
        IReadOnlyCollection<string> typingRooms, IReadOnlyList<EventRow> events, AppServiceInterest.Verdicts verdicts, CancellationToken ct)
    {
        var fields = new JsonObject();
        var positions = AppServiceStreamPositions.At(upto) with { ToDevice = from.ToDevice };
        if (service.ReceiveEphemeral)
        {
            var ephemeral = await EphemeralAsync(service, from, positions, typingRooms, verdicts, ct);
            if (ephemeral.Count > 0)
            {
                fields[Ephemeral] = ephemeral;
                fields[EphemeralUnstable] = ephemeral.DeepClone();
            }
        }
        var toDeviceIds = new List<long>();
        if (!service.DeviceMasquerading)
            return new Result(fields, positions with { ToDevice = upto.Of(StreamNames.ToDevice) }, toDeviceIds);

        var read = await toDevice.InRangeAsync(from.ToDevice, upto.Of(StreamNames.ToDevice), MaxToDevicePerTransaction, ct);
        positions = positions with
        {
            ToDevice = read.Count == MaxToDevicePerTransaction ? read[^1].StreamId : upto.Of(StreamNames.ToDevice),
        };
        var messages = read.Where(m => registry.Claims(service, m.UserId)).ToList();
        toDeviceIds.AddRange(messages.Select(m => m.StreamId));
        if (messages.Count > 0)
        {
            var list = new JsonArray(messages.Select(m => (JsonNode)new JsonObject
            {
                ["type"] = m.EventType,
                ["sender"] = m.Sender,
                ["to_user_id"] = m.UserId,
                ["to_device_id"] = m.DeviceId,
                ["content"] = JsonNode.Parse(m.Content),
            }).ToArray());
            fields[ToDevice] = list;
            fields[ToDeviceUnstable] = list.DeepClone();
        }

        var changed = new List<string>();
        foreach (var user in (await deviceLists.ChangedAsync(from.DeviceLists, positions.DeviceLists, ct)).Order(StringComparer.Ordinal))
            if (await interest.IsInterestedInUserAsync(service, user, verdicts, ct))
                changed.Add(user);
        // Synapse computes no "left" for services either: a bridge's users leave rooms through the bridge itself.
        if (changed.Count > 0)
            fields[DeviceLists] = new JsonObject { ["changed"] = new JsonArray(changed.Select(u => (JsonNode)u).ToArray()), ["left"] = new JsonArray() };

        var appearing = events.Select(e => e.Sender).Concat(messages.Select(m => m.UserId))
            .Where(u => registry.Claims(service, u)).Distinct(StringComparer.Ordinal).ToList();
        if (appearing.Count > 0)
            await AddKeyStockAsync(appearing, fields, ct);
        return new Result(fields, positions, toDeviceIds);
    }

    private async Task<JsonArray> EphemeralAsync(AppServiceRegistration service, AppServiceStreamPositions from, AppServiceStreamPositions upto,
        IReadOnlyCollection<string> typingRooms, AppServiceInterest.Verdicts verdicts, CancellationToken ct)
    {
        var result = new JsonArray();
        foreach (var roomId in typingRooms.Order(StringComparer.Ordinal))
            if (await interest.IsInterestedInRoomAsync(service, roomId, verdicts, ct))
                result.Add(new JsonObject
                {
                    ["type"] = "m.typing",
                    ["room_id"] = roomId,
                    ["content"] = new JsonObject { ["user_ids"] = new JsonArray((typing.ChangedSince(roomId, 0) ?? []).Select(u => (JsonNode)u).ToArray()) },
                });

        var rooms = new List<string>();
        foreach (var roomId in await receipts.RoomsChangedAsync(from.Receipts, upto.Receipts, ct))
            if (await interest.IsInterestedInRoomAsync(service, roomId, verdicts, ct))
                rooms.Add(roomId);
        var changed = await receipts.ChangedInRoomsAsync(rooms, from.Receipts, upto.Receipts, ct);
        // Private receipts are their owner's alone; the service's sender is the viewer, so only its own would show.
        var sender = registry.SenderOf(service);
        foreach (var roomId in rooms.Order(StringComparer.Ordinal))
            if (ReceiptService.ReceiptEvent(changed[roomId], sender) is { } receipt)
            {
                receipt["room_id"] = roomId;
                result.Add(receipt);
            }

        foreach (var e in await presence.ChangedAsync(from.Presence, upto.Presence, ct))
            if (await interest.IsInterestedInUserAsync(service, (string)e["sender"]!, verdicts, ct))
                result.Add(e);
        return result;
    }

    private async Task AddKeyStockAsync(IReadOnlyList<string> users, JsonObject fields, CancellationToken ct)
    {
        var counts = new JsonObject();
        var fallbacks = new JsonObject();
        foreach (var user in users)
        {
            var userCounts = new JsonObject();
            var userFallbacks = new JsonObject();
            foreach (var device in await devices.ListAsync(user, ct))
            {
                var stock = await keys.KeyStockAsync(user, device.DeviceId, ct);
                userCounts[device.DeviceId] = DeviceKeysService.CountsJson(stock.OneTimeKeyCounts);
                userFallbacks[device.DeviceId] = new JsonArray(stock.UnusedFallbackAlgorithms.Select(a => (JsonNode)a).ToArray());
            }
            if (userCounts.Count == 0)
                continue;
            counts[user] = userCounts;
            fallbacks[user] = userFallbacks;
        }
        if (counts.Count == 0)
            return;
        fields[OneTimeKeyCounts] = counts;
        fields[FallbackKeyTypes] = fallbacks;
    }
}
