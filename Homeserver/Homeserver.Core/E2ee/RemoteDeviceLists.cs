using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Streams;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.E2ee;

/// <summary>
/// The device lists of other servers' users who share a room with ours (spec "Tracking the device list for a user"),
/// as Synapse keeps them: resynced through their server's <c>/user/devices</c> when first needed or when an update's
/// <c>prev_id</c> shows one was missed, and moved on by their updates otherwise, so <c>/keys/query</c> answers from here.
/// Each change of a kept list, a resync included, is recorded on the device-list stream in the same transaction, so our
/// users sharing a room with the user see them in <c>device_lists.changed</c>, as Synapse tells them. A user sharing no
/// room with ours is not kept: no update would tell us their list changed.
/// </summary>
public sealed class RemoteDeviceLists(RemoteDeviceListStore store, IRemoteKeys remote, CurrentStateStore current, StreamPublisher writer,
    ServerIdentity server, ILogger<RemoteDeviceLists> log) : IDisposable
{
    private static readonly TimeSpan ResyncTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, BackgroundResync> _resyncs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

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
        Task? running;
        lock (_resyncs)
            running = _resyncs.GetValueOrDefault(userId)?.Done;
        if (running is not null)
        {
            // A list being resynced after a missed update is stale: its resync is waited for, within the query's time.
            try
            {
                await running.WaitAsync(timeout, ct);
            }
            catch (TimeoutException)
            {
                log.LogInformation("The device list of {UserId} is still being resynced; answering the kept one", userId);
            }
        }
        return await store.GetAsync(userId, ct) ?? await ResyncAsync(userId, timeout, ct);
    }

    /// <summary>
    /// An <c>m.device_list_update</c> of a user sharing a room with ours: applied when it joins the kept list (and our
    /// users hear of the change, unless it was seen already), else the list is resynced in the background, as Synapse
    /// does, so that the transaction carrying it is not held up by a request to its origin.
    /// </summary>
    public async Task ReceiveUpdateAsync(string userId, JsonObject content, CancellationToken ct)
    {
        if (!await TrackedAsync(userId, ct))
        {
            await store.ForgetAsync(userId, ct);
            return;
        }
        var outcome = ReadUpdate(userId, content) is { } update
            ? await writer.WriteAsync(async st =>
            {
                var applied = await RemoteDeviceListStore.ApplyAsync(st, userId, update, ct);
                if (applied == RemoteDeviceListStore.Outcome.Applied)
                    await DeviceListStore.RecordChangeAsync(st, userId, ct);
                return applied;
            }, ct)
            : RemoteDeviceListStore.Outcome.NeedsResync;
        if (outcome == RemoteDeviceListStore.Outcome.NeedsResync)
            ResyncLater(userId);
    }

    /// <summary>An <c>m.signing_key_update</c> of a user sharing a room with ours: the kept list's master and self-signing keys.</summary>
    public async Task ReceiveSigningKeysAsync(string userId, JsonObject content, CancellationToken ct)
    {
        if (!await TrackedAsync(userId, ct))
            return;
        await writer.WriteAsync(async st =>
        {
            await RemoteDeviceListStore.SetSigningKeysAsync(st, userId, OwnKey(userId, content["master_key"]), OwnKey(userId, content["self_signing_key"]), ct);
            await DeviceListStore.RecordChangeAsync(st, userId, ct);
        }, ct);
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

    /// <summary>
    /// Resyncs the user's list in the background, one resync per user at a time: an update asking for one while another
    /// runs makes it run once more after, as the running one may have fetched the list before that update's change.
    /// </summary>
    private void ResyncLater(string userId)
    {
        lock (_resyncs)
        {
            if (_resyncs.TryGetValue(userId, out var running))
            {
                running.Again = true;
                return;
            }
            var resync = new BackgroundResync();
            _resyncs[userId] = resync;
            resync.Done = Task.Run(() => ResyncInBackgroundAsync(userId, resync), CancellationToken.None);
        }
    }

    private async Task ResyncInBackgroundAsync(string userId, BackgroundResync resync)
    {
        while (true)
        {
            try
            {
                await ResyncAsync(userId, ResyncTimeout, _stopping.Token);
            }
            catch (HttpRequestException e)
            {
                // A list we cannot bring up to date must not answer queries: the next one resyncs. Our users are told,
                // so that their next query comes.
                log.LogInformation("Could not resync the device list of {UserId}: {Reason}", userId, e.Message);
                await ForgetAndTellAsync(userId);
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested)
            {
                log.LogWarning(e, "Resyncing the device list of {UserId} failed", userId);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            lock (_resyncs)
            {
                if (!resync.Again)
                {
                    _resyncs.Remove(userId);
                    return;
                }
                resync.Again = false;
            }
        }
    }

    private async Task ForgetAndTellAsync(string userId)
    {
        try
        {
            await writer.WriteAsync(async st =>
            {
                await RemoteDeviceListStore.ForgetAsync(st.Connection, st.Transaction, userId, _stopping.Token);
                await DeviceListStore.RecordChangeAsync(st, userId, _stopping.Token);
            }, _stopping.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Could not drop the device list of {UserId}", userId);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private sealed class BackgroundResync
    {
        public Task Done { get; set; } = Task.CompletedTask;
        public bool Again { get; set; }
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
        await writer.WriteAsync(async st =>
        {
            if (await RemoteDeviceListStore.ReplaceAsync(st, userId, snapshot, ct))
                await DeviceListStore.RecordChangeAsync(st, userId, ct);
        }, ct);
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
