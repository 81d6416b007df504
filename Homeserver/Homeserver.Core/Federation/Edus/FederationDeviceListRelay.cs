using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.E2ee;
using Homeserver.Core.Federation.Sending;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Federation.Edus;

/// <summary>
/// Sends our users' device changes as <c>m.device_list_update</c> (one per device, <c>stream_id</c> the change's position
/// and <c>prev_id</c> the user's change before it, so a receiver that missed one sees the gap and resyncs) and their
/// cross-signing key changes as <c>m.signing_key_update</c>, to the servers sharing a room with them. Queued in the
/// changing transaction: a crash loses the change and its news together or neither.
/// </summary>
public sealed class FederationDeviceListRelay(ServerIdentity server, FederationOptions options, FederationSender sender) : IDeviceListRelay
{
    public async Task DevicesChangedAsync(StreamTransaction st, string userId, long streamId, IReadOnlyList<string> deviceIds, bool deleted, CancellationToken ct)
    {
        var destinations = await DestinationsAsync(st, userId, ct);
        if (destinations.Count == 0)
            return;
        var previous = await DeviceListStore.PreviousChangeAsync(st, userId, streamId, ct);
        foreach (var deviceId in deviceIds)
        {
            var content = new JsonObject
            {
                ["user_id"] = userId,
                ["device_id"] = deviceId,
                ["stream_id"] = streamId,
                ["prev_id"] = previous is { } prev ? new JsonArray(prev) : new JsonArray(),
                ["deleted"] = deleted,
            };
            if (!deleted && await DeviceKeyStore.DeviceAsync(st, userId, deviceId, ct) is { } device)
            {
                var keys = DeviceKeysService.ParseObject(device.KeyJson);
                // As /user/devices shows it: the receiver keeps these keys, and cross-signing needs the owner's signatures on them.
                DeviceKeysService.AddSignatures(keys, await CrossSigningStore.OwnSignaturesAsync(st.Connection, st.Transaction, userId, deviceId, ct));
                content["keys"] = keys;
                if (device.DisplayName is not null)
                    content["device_display_name"] = device.DisplayName;
            }
            await QueueAsync(st, destinations, EduTypes.DeviceListUpdate, content, ct);
        }
    }

    public async Task SigningKeysChangedAsync(StreamTransaction st, string userId, IReadOnlyList<CrossSigningStore.Key> keys, CancellationToken ct)
    {
        var content = new JsonObject { ["user_id"] = userId };
        // The user-signing key is the user's own business: other servers never see it.
        foreach (var key in keys)
            if (key.KeyType is CrossSigningStore.Master or CrossSigningStore.SelfSigning)
                content[key.KeyType + "_key"] = JsonNode.Parse(key.KeyJson);
        if (content.Count == 1)
            return;
        var destinations = await DestinationsAsync(st, userId, ct);
        if (destinations.Count > 0)
            await QueueAsync(st, destinations, EduTypes.SigningKeyUpdate, content, ct);
    }

    private async Task<IReadOnlyList<string>> DestinationsAsync(StreamTransaction st, string userId, CancellationToken ct)
    {
        if (!options.Enabled || !UserId.TryParse(userId, out var id) || id.Value.ServerName != server.ServerName)
            return [];
        return EduDestinations.OtherServers(await CurrentStateStore.UsersSharingRoomWithAsync(st.Connection, st.Transaction, userId, ct), server.ServerName);
    }

    private async Task QueueAsync(StreamTransaction st, IReadOnlyList<string> destinations, string type, JsonObject content, CancellationToken ct)
    {
        var text = content.ToJsonString();
        foreach (var destination in destinations)
            await FederationOutboxStore.QueueEduAsync(st.Connection, st.Transaction, destination, type, text, ct);
        st.OnCommitted(() => sender.Wake(destinations));
    }
}
