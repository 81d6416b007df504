using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Federation.Sending;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Federation.Edus;

/// <summary>
/// Sends our users' typing notices and public receipts to the room's other servers as <c>m.typing</c> and
/// <c>m.receipt</c> EDUs. What other servers told us about their users is theirs to send, so it is not passed on.
/// </summary>
public sealed class FederationEphemeralRelay(EduDestinations destinations, FederationEduQueue queue, FederationOutboxStore outbox,
    ServerIdentity server, FederationOptions options, TypingResend resend) : IEphemeralRelay
{
    public TimeSpan? TypingResendInterval => options.Enabled ? resend.Interval : null;

    public async Task TypingChangedAsync(RoomId roomId, UserId userId, bool typing, CancellationToken ct)
    {
        if (!options.Enabled || userId.ServerName != server.ServerName)
            return;
        foreach (var destination in await destinations.OfRoomAsync(roomId, ct))
            await queue.EnqueueAsync(destination, EduTypes.Typing, TypingContent(roomId, userId, typing), ct);
    }

    /// <summary>
    /// Sent again as a start, as Synapse does, but not to servers we are backing off from: a notice they would get
    /// only once back is long over, and each would pile up in their queue meanwhile.
    /// </summary>
    public async Task TypingContinuesAsync(RoomId roomId, UserId userId, CancellationToken ct)
    {
        if (!options.Enabled || userId.ServerName != server.ServerName)
            return;
        var room = await destinations.OfRoomAsync(roomId, ct);
        if (room.Count == 0)
            return;
        var down = (await outbox.BackedOffAsync(ct)).ToHashSet(StringComparer.Ordinal);
        foreach (var destination in room.Where(d => !down.Contains(d)))
            await queue.EnqueueAsync(destination, EduTypes.Typing, TypingContent(roomId, userId, true), ct);
    }

    private static JsonObject TypingContent(RoomId roomId, UserId userId, bool typing) =>
        new() { ["room_id"] = roomId.ToString(), ["user_id"] = userId.ToString(), ["typing"] = typing };

    public async Task ReceiptMovedAsync(RoomId roomId, UserId userId, EventId eventId, string? threadId, long ts, CancellationToken ct)
    {
        if (!options.Enabled || userId.ServerName != server.ServerName)
            return;
        foreach (var destination in await destinations.OfRoomAsync(roomId, ct))
        {
            var data = new JsonObject { ["ts"] = ts };
            if (threadId is not null)
                data["thread_id"] = threadId;
            var content = new JsonObject
            {
                [roomId.ToString()] = new JsonObject
                {
                    [ReceiptService.Read] = new JsonObject
                    {
                        [userId.ToString()] = new JsonObject { ["event_ids"] = new JsonArray(eventId.ToString()), ["data"] = data },
                    },
                },
            };
            await queue.EnqueueAsync(destination, EduTypes.Receipt, content, ct);
        }
    }
}
