using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Ephemeral;

/// <summary>
/// Read receipts (<c>m.read</c>, <c>m.read.private</c>, threaded) and read markers (<c>m.fully_read</c>). Public
/// receipts reach the room's members through sync; private ones only their owner.
/// </summary>
public sealed class ReceiptService(ReceiptStore store, RoomEventGuard guard, CurrentStateStore current, AccountDataStore accountData,
    EventStore events, IEphemeralRelay relay, TimeProvider time)
{
    public const string Read = "m.read";
    public const string ReadPrivate = "m.read.private";
    public const string FullyRead = "m.fully_read";
    public const string EventNotFound = "Event not found in this room";

    public async Task SendAsync(RoomId roomId, UserId userId, string type, EventId eventId, string? threadId, CancellationToken ct)
    {
        if (type is not (Read or ReadPrivate or FullyRead))
            throw MatrixException.InvalidParam($"Unknown receipt type '{type}'");
        if (threadId is not null)
            StoredText.EnsureIdentifier(threadId, "thread_id");
        if (await current.MembershipAsync(roomId.ToString(), userId.ToString(), ct) != "join")
            throw MatrixException.Forbidden("You are not joined to this room");
        var target = await guard.InRoomAsync(roomId, eventId, ct, EventNotFound);
        if (type == FullyRead)
        {
            // The spec keeps the fully-read marker as room account data of that type.
            await accountData.PutAsync(userId.ToString(), roomId.ToString(), FullyRead, new JsonObject { ["event_id"] = eventId.ToString() }.ToJsonString(), ct);
            return;
        }
        var ts = time.GetUtcNow().ToUnixTimeMilliseconds();
        var moved = await store.PutAsync(roomId.ToString(), userId.ToString(), type, threadId, eventId.ToString(), target.StreamOrdering, ts, type == ReadPrivate, ct);
        // A private receipt is for its owner alone: it never leaves the server.
        if (moved is not null && type == Read)
            await relay.ReceiptMovedAsync(roomId, userId, eventId, threadId, ts, ct);
    }

    /// <summary>
    /// A public receipt another server sent for one of its users: kept when the user is joined to the room and the event
    /// is one of the room's we hold (a receipt for an event we lack has nothing to mark here); false when ignored.
    /// </summary>
    public async Task<bool> ReceiveAsync(RoomId roomId, UserId userId, EventId eventId, string? threadId, long ts, CancellationToken ct)
    {
        if (threadId is not null && !StoredText.IsIdentifier(threadId))
            return false;
        if (await current.MembershipAsync(roomId.ToString(), userId.ToString(), ct) != "join")
            return false;
        var target = await events.GetAsync(eventId.ToString(), ct);
        if (target is null || target.RoomId != roomId.ToString())
            return false;
        await store.PutAsync(roomId.ToString(), userId.ToString(), Read, threadId, eventId.ToString(), target.StreamOrdering, ts, isPrivate: false, ct);
        return true;
    }

    /// <summary>The <c>m.receipt</c> event for a room's receipts changed in the range, as <paramref name="viewer"/> may see them; null when none.</summary>
    public async Task<JsonObject?> ChangedAsync(string roomId, UserId viewer, long after, long upto, CancellationToken ct) =>
        ReceiptEvent(await store.ChangedAsync(roomId, after, upto, ct), viewer);

    /// <summary>The <c>m.receipt</c> event for one room's receipts already read, in stream order; null when none is for <paramref name="viewer"/>.</summary>
    public static JsonObject? ReceiptEvent(IEnumerable<ReceiptStore.Receipt> changed, UserId viewer)
    {
        var content = new JsonObject();
        var viewerText = viewer.ToString();
        foreach (var r in changed)
        {
            if (r.ReceiptType == ReadPrivate && r.UserId != viewerText)
                continue;
            var receipt = new JsonObject { ["ts"] = r.Ts };
            if (r.ThreadId != ReceiptStore.Unthreaded)
                receipt["thread_id"] = r.ThreadId;
            var byEvent = content[r.EventId] as JsonObject ?? (JsonObject)(content[r.EventId] = new JsonObject());
            var byType = byEvent[r.ReceiptType] as JsonObject ?? (JsonObject)(byEvent[r.ReceiptType] = new JsonObject());
            byType[r.UserId] = receipt;
        }
        return content.Count == 0 ? null : new JsonObject { ["type"] = "m.receipt", ["content"] = content };
    }
}
