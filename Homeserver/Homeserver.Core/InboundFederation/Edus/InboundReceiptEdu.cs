using System.Text.Json.Nodes;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Acl;
using Homeserver.Core.Identifiers;
using Microsoft.Extensions.Logging;
using EventId = Homeserver.Core.Identifiers.EventId;

namespace Homeserver.Core.InboundFederation.Edus;

/// <summary>
/// <c>m.receipt</c>: public read receipts (threaded ones with their <c>thread_id</c>) of the origin's users, per room.
/// Other receipt types, a private one above all, have no business crossing servers and are ignored.
/// </summary>
public sealed class InboundReceiptEdu(ReceiptService receipts, ServerAcls acls, TimeProvider time, ILogger<InboundReceiptEdu> log)
{
    public async Task HandleAsync(string origin, JsonObject content, CancellationToken ct)
    {
        foreach (var (room, byType) in content)
        {
            if (!RoomId.TryParse(room, out var roomId) || byType is not JsonObject types || types[ReceiptService.Read] is not JsonObject byUser)
                continue;
            if (!await acls.IsAllowedAsync(roomId.Value, origin, ct))
                continue;
            foreach (var (user, receipt) in byUser)
            {
                if (!UserId.TryParse(user, out var userId) || userId.Value.ServerName != origin || receipt is not JsonObject r
                    || r["event_ids"] is not JsonArray { Count: > 0 } eventIds || !PduReader.TryGetString(eventIds[^1], out var eventText)
                    || !EventId.TryParse(eventText, out var eventId))
                {
                    log.LogInformation("Ignored a receipt of {UserId} in {RoomId} from {Origin}", user, room, origin);
                    continue;
                }
                var data = r["data"] as JsonObject;
                var ts = PduReader.TryGetInteger(data?["ts"], out var t) ? t : time.GetUtcNow().ToUnixTimeMilliseconds();
                var threadId = PduReader.TryGetString(data?["thread_id"], out var thread) ? thread : null;
                if (!await receipts.ReceiveAsync(roomId.Value, userId.Value, eventId.Value, threadId, ts, ct))
                    log.LogInformation("Ignored a receipt of {UserId} in {RoomId} from {Origin}: not joined, or an event we do not hold", user, room, origin);
            }
        }
    }
}
