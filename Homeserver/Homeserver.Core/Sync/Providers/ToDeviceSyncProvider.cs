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
        var pending = await toDevice.PendingAsync(ctx.UserId.ToString(), ctx.DeviceId, ctx.Since?.ToDevice ?? 0, ctx.Upto.ToDevice, MaxPerSync, ct);
        if (pending.Count == MaxPerSync)
            ctx.HoldBack(StreamNames.ToDevice, pending[^1].StreamId);
        response["to_device"] = new JsonObject
        {
            ["events"] = new JsonArray(pending.Select(m => (JsonNode)new JsonObject
            {
                ["sender"] = m.Sender,
                ["type"] = m.EventType,
                ["content"] = JsonNode.Parse(m.Content),
            }).ToArray()),
        };
        return pending.Count > 0;
    }

    /// <summary>
    /// A sync from a token confirms the to-device messages up to its position reached the device, so they go now;
    /// a client that lost a response retries with its older token and gets them again. Deleting them is incidental to
    /// the sync: when the database refuses it, they stay stored (the token already moves past them) and the sync is answered.
    /// </summary>
    public Task AcknowledgeAsync(SyncService.SyncRequest request, SyncToken since, CancellationToken ct) =>
        since.ToDevice > 0
            ? incidental.TryAsync("to-device deletion", () => toDevice.AcknowledgeAsync(request.UserId.ToString(), request.DeviceId, since.ToDevice, ct))
            : Task.CompletedTask;
}
