using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.E2ee;

/// <summary>
/// The device lists of other servers' users who share a room with ours (spec "Tracking the device list for a user"),
/// as Synapse keeps them: resynced through their server's <c>/user/devices</c> when first needed or when an update's
/// <c>prev_id</c> shows one was missed, and moved on by their updates otherwise, so <c>/keys/query</c> answers from here.
/// A user sharing no room with ours is not kept: no update would tell us their list changed.
/// </summary>
public sealed class RemoteDeviceLists(RemoteDeviceListStore store, IRemoteKeys remote, CurrentStateStore current, ServerIdentity server,
    ILogger<RemoteDeviceLists> log)
{
    private static readonly TimeSpan ResyncTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The user's list, resynced from their server when not kept; null when the user shares no room with ours (their
    /// server is asked instead).
    /// </summary>
    /// <exception cref="HttpRequestException">Their server could not be reached or answered badly within <paramref name="timeout"/>.</exception>
    public async Task<RemoteDeviceListStore.Snapshot?> CurrentAsync(string userId, TimeSpan timeout, CancellationToken ct)
    {
        if (!await TrackedAsync(userId, ct))
        {
            await store.ForgetAsync(userId, ct);
            return null;
        }
        return await store.GetAsync(userId, ct) ?? await ResyncAsync(userId, timeout, ct);
    }

    /// <summary>An <c>m.device_list_update</c>: applied when it joins the kept list, else the list is resynced.</summary>
    /// <returns>Whether the user is tracked, so our users sharing a room with them should hear of the change.</returns>
    public async Task<bool> ReceiveUpdateAsync(string userId, JsonObject content, CancellationToken ct)
    {
        if (!await TrackedAsync(userId, ct))
        {
            await store.ForgetAsync(userId, ct);
            return false;
        }
        var outcome = ReadUpdate(userId, content) is { } update ? await store.ApplyAsync(userId, update, ct) : RemoteDeviceListStore.Outcome.NeedsResync;
        if (outcome == RemoteDeviceListStore.Outcome.NeedsResync)
        {
            try
            {
                await ResyncAsync(userId, ResyncTimeout, ct);
            }
            catch (HttpRequestException e)
            {
                // A list we cannot bring up to date must not answer queries: the next one resyncs.
                log.LogInformation("Could not resync the device list of {UserId}: {Reason}", userId, e.Message);
                await store.ForgetAsync(userId, ct);
            }
        }
        return true;
    }

    /// <summary>An <c>m.signing_key_update</c>: the kept list's master and self-signing keys.</summary>
    /// <returns>Whether the user is tracked.</returns>
    public async Task<bool> ReceiveSigningKeysAsync(string userId, JsonObject content, CancellationToken ct)
    {
        if (!await TrackedAsync(userId, ct))
            return false;
        await store.SetSigningKeysAsync(userId, OwnKey(userId, content["master_key"]), OwnKey(userId, content["self_signing_key"]), ct);
        return true;
    }

    /// <summary>A kept list into a <c>/keys/query</c> answer, only the devices asked for (all when none is named).</summary>
    public static void AddTo(JsonObject answer, string userId, RemoteDeviceListStore.Snapshot list, IReadOnlyList<string> wanted)
    {
        var devices = new JsonObject();
        foreach (var device in list.Devices)
        {
            if (device.KeyJson is null || (wanted.Count > 0 && !wanted.Contains(device.DeviceId)))
                continue;
            var keys = DeviceKeysService.ParseObject(device.KeyJson);
            keys["unsigned"] = device.DisplayName is null ? new JsonObject() : new JsonObject { ["device_display_name"] = device.DisplayName };
            devices[device.DeviceId] = keys;
        }
        answer["device_keys"]![userId] = devices;
        if (list.MasterKey is not null)
            answer["master_keys"]![userId] = DeviceKeysService.ParseObject(list.MasterKey);
        if (list.SelfSigningKey is not null)
            answer["self_signing_keys"]![userId] = DeviceKeysService.ParseObject(list.SelfSigningKey);
    }

    private async Task<bool> TrackedAsync(string userId, CancellationToken ct) =>
        (await current.UsersSharingRoomWithAsync(userId, ct)).Any(u => UserId.TryParse(u, out var id) && id.Value.ServerName == server.ServerName);

    private async Task<RemoteDeviceListStore.Snapshot> ResyncAsync(string userId, TimeSpan timeout, CancellationToken ct)
    {
        var answer = await remote.DeviceListAsync(userId, timeout, ct);
        if (!PduReader.TryGetString(answer["user_id"], out var user) || user != userId || answer["stream_id"] is not JsonValue streamValue
            || !streamValue.TryGetValue<long>(out var streamId) || answer["devices"] is not JsonArray devices)
            throw new HttpRequestException($"The device list of {userId} came malformed");
        var kept = new List<RemoteDeviceListStore.Device>();
        foreach (var node in devices)
        {
            if (node is not JsonObject device || !PduReader.TryGetString(device["device_id"], out var deviceId))
                continue;
            var keys = OwnDeviceKeys(userId, deviceId, device["keys"]);
            kept.Add(new RemoteDeviceListStore.Device { DeviceId = deviceId, KeyJson = keys, DisplayName = DisplayName(device) });
        }
        var snapshot = new RemoteDeviceListStore.Snapshot(streamId, kept, OwnKey(userId, answer["master_key"]), OwnKey(userId, answer["self_signing_key"]));
        await store.ReplaceAsync(userId, snapshot, ct);
        return snapshot;
    }

    private static RemoteDeviceListStore.Update? ReadUpdate(string userId, JsonObject content)
    {
        if (!PduReader.TryGetString(content["device_id"], out var deviceId) || content["stream_id"] is not JsonValue streamValue
            || !streamValue.TryGetValue<long>(out var streamId))
            return null;
        var prevIds = new List<long>();
        if (content["prev_id"] is JsonArray prev)
            foreach (var id in prev)
            {
                if (id is not JsonValue v || !v.TryGetValue<long>(out var p))
                    return null;
                prevIds.Add(p);
            }
        var deleted = content["deleted"] is JsonValue d && d.TryGetValue<bool>(out var isDeleted) && isDeleted;
        return new RemoteDeviceListStore.Update(deviceId, streamId, prevIds, deleted, deleted ? null : OwnDeviceKeys(userId, deviceId, content["keys"]),
            DisplayName(content));
    }

    /// <summary>
    /// Device keys kept as their server gave them, as Synapse keeps them, unless they name another user or device: a
    /// server speaks only for its own users' devices. Keys that name neither are passed on; clients check the names
    /// and signatures inside the keys themselves before trusting them.
    /// </summary>
    private static string? OwnDeviceKeys(string userId, string deviceId, JsonNode? keys) =>
        keys is JsonObject o && Names(o["user_id"], userId) && Names(o["device_id"], deviceId) ? o.ToJsonString() : null;

    private static bool Names(JsonNode? field, string expected) =>
        field is null || (PduReader.TryGetString(field, out var value) && value == expected);

    private static string? OwnKey(string userId, JsonNode? key) =>
        key is JsonObject o && PduReader.TryGetString(o["user_id"], out var u) && u == userId ? o.ToJsonString() : null;

    private static string? DisplayName(JsonObject o) => PduReader.TryGetString(o["device_display_name"], out var name) ? name : null;
}
