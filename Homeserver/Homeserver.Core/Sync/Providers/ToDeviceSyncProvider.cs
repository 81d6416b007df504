using System.Text.Json.Nodes;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;
using Homeserver.Core.ToDevice;

namespace Homeserver.Core.Sync.Providers;

/// <summary>
/// <c>to_device</c>: the device's to-device messages, at most <see cref="MaxPerSync"/> a response; when more wait,
/// the next token stops after the last one sent, so the rest come with the next sync.
/// </summary>
public sealed class ToDeviceSyncProvider(ToDeviceStore toDevice, IncidentalWrites incidental) : ISyncProvider
{
    /// <summary>The spec's recommended cap on to-device messages per response.</summary>
    public const int MaxPerSync = 100;

    public async Task<bool> AddAsync(SyncContext ctx, JsonObject response, CancellationToken ct)
    {
        var (events, heldBackAt) = await PendingAsync(ctx.UserId.ToString(), ctx.DeviceId, ctx.Since?.ToDevice ?? 0, ctx.Upto.ToDevice, MaxPerSync, ct);
        if (heldBackAt is { } last)
            ctx.HoldBack(StreamNames.ToDevice, last);
        response["to_device"] = new JsonObject { ["events"] = events };
        return events.Count > 0;
    }

    /// <summary>
    /// The device's messages in (<paramref name="after"/>, <paramref name="upto"/>], at most <paramref name="limit"/>; when the
    /// limit cut them, the position of the last one sent, where the next read must start.
    /// </summary>
    public async Task<(JsonArray Events, long? HeldBackAt)> PendingAsync(string userId, string deviceId, long after, long upto, int limit, CancellationToken ct)
    {
        var pending = await toDevice.PendingAsync(userId, deviceId, after, upto, limit, ct);
        var events = new JsonArray(pending.Select(m => (JsonNode)new JsonObject
        {
            ["sender"] = m.Sender,
            ["type"] = m.EventType,
            ["content"] = JsonNode.Parse(m.Content),
        }).ToArray());
        return (events, pending.Count == limit ? pending[^1].StreamId : null);
    }

    /// <summary>
    /// A sync from a token confirms the to-device messages up to its position reached the device, so they go now;
    /// a client that lost a response retries with its older token and gets them again. Deleting them is incidental to
    /// the sync: when the database refuses it, they stay stored (the token already moves past them) and the sync is answered.
    /// </summary>
    public Task AcknowledgeAsync(SyncService.SyncRequest request, SyncToken since, CancellationToken ct) =>
        AcknowledgeAsync(request.UserId.ToString(), request.DeviceId, since.ToDevice, ct);

    /// <summary>The device confirmed its messages up to <paramref name="upto"/>: they go, as for a sync token past them.</summary>
    public Task AcknowledgeAsync(string userId, string deviceId, long upto, CancellationToken ct) =>
        upto > 0
            ? incidental.TryAsync("to-device deletion", () => toDevice.AcknowledgeAsync(userId, deviceId, upto, ct))
            : Task.CompletedTask;
}
