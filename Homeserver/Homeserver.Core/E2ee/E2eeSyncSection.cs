using System.Text.Json.Nodes;
using Homeserver.Core.Sync;
using Homeserver.Core.ToDevice;

namespace Homeserver.Core.E2ee;

/// <summary>
/// The encryption parts of a sync response: the device's to-device messages, device-list changes, one-time key
/// counts and unused fallback key types (spec "Extensions to /sync" of both modules).
/// </summary>
public sealed class E2eeSyncSection(ToDeviceStore toDevice, DeviceListService deviceLists, DeviceKeyStore keys, Storage.IncidentalWrites incidental)
{
    /// <summary>The spec's recommended cap on to-device messages per response.</summary>
    public const int MaxToDevicePerSync = 100;

    /// <param name="ToDeviceUpto">The to-device position the next token may claim: lower than the stream's when messages were held back.</param>
    public sealed record Section(JsonArray ToDevice, long ToDeviceUpto, DeviceListService.Delta DeviceLists, JsonObject OneTimeKeyCounts, JsonArray UnusedFallbackKeyTypes)
    {
        public bool IsEmpty => ToDevice.Count == 0 && DeviceLists.IsEmpty;
    }

    /// <summary>
    /// A sync from a token confirms the to-device messages up to its position reached the device, so they go now;
    /// a client that lost a response retries with its older token and gets them again. Deleting them is incidental to
    /// the sync: when the database refuses it, they stay stored (the token already moves past them) and the sync is answered.
    /// </summary>
    public Task AcknowledgeAsync(string userId, string deviceId, SyncToken since, CancellationToken ct) =>
        since.ToDevice > 0 ? incidental.TryAsync("to-device deletion", () => toDevice.AcknowledgeAsync(userId, deviceId, since.ToDevice, ct)) : Task.CompletedTask;

    /// <param name="membershipsChanged">Whether a membership changed in the window in a room the user is or was in.</param>
    public async Task<Section> BuildAsync(string userId, string deviceId, SyncToken? since, SyncToken upto, bool membershipsChanged, CancellationToken ct)
    {
        var pending = await toDevice.PendingAsync(userId, deviceId, since?.ToDevice ?? 0, upto.ToDevice, MaxToDevicePerSync, ct);
        var events = new JsonArray(pending.Select(m => (JsonNode)new JsonObject
        {
            ["sender"] = m.Sender,
            ["type"] = m.EventType,
            ["content"] = JsonNode.Parse(m.Content),
        }).ToArray());
        var toDeviceUpto = pending.Count == MaxToDevicePerSync ? pending[^1].StreamId : upto.ToDevice;
        // The spec fills device_lists only for incremental syncs; an initial sync fetches keys with /keys/query.
        var lists = since is { } s ? await deviceLists.BetweenAsync(userId, s, upto, membershipsChanged, ct) : new DeviceListService.Delta([], []);
        var stock = await keys.KeyStockAsync(userId, deviceId, ct);
        return new Section(events, toDeviceUpto, lists, DeviceKeysService.CountsJson(stock.OneTimeKeyCounts),
            new JsonArray(stock.UnusedFallbackAlgorithms.Select(a => (JsonNode)a).ToArray()));
    }

    public static JsonObject DeviceListsJson(DeviceListService.Delta delta) => new()
    {
        ["changed"] = new JsonArray(delta.Changed.Select(u => (JsonNode)u).ToArray()),
        ["left"] = new JsonArray(delta.Left.Select(u => (JsonNode)u).ToArray()),
    };
}
