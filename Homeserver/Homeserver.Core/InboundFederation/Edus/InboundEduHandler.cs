using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Edus;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation.Edus;

/// <summary>
/// The EDUs of a transaction, each given to the handler of its type. An EDU is the origin's word about its own users,
/// so each handler ignores what concerns users of other servers. A malformed or refused EDU is logged and skipped:
/// the spec gives EDUs no answer, and one bad EDU must not cost the transaction's others.
/// </summary>
public sealed class InboundEduHandler(InboundTypingEdu typing, InboundReceiptEdu receipts, InboundPresenceEdu presence,
    InboundDeviceListEdu deviceLists, InboundToDeviceEdu toDevice, ILogger<InboundEduHandler> log)
{
    public async Task HandleAsync(string origin, JsonNode? edu, CancellationToken ct)
    {
        if (edu is not JsonObject o || !PduReader.TryGetString(o["edu_type"], out var type) || o["content"] is not JsonObject content)
        {
            log.LogInformation("Ignored a malformed EDU from {Origin}", origin);
            return;
        }
        try
        {
            switch (type)
            {
                case EduTypes.Typing:
                    await typing.HandleAsync(origin, content, ct);
                    break;
                case EduTypes.Receipt:
                    await receipts.HandleAsync(origin, content, ct);
                    break;
                case EduTypes.Presence:
                    await presence.HandleAsync(origin, content, ct);
                    break;
                case EduTypes.DeviceListUpdate or EduTypes.SigningKeyUpdate:
                    await deviceLists.HandleAsync(origin, type, content, ct);
                    break;
                case EduTypes.DirectToDevice:
                    await toDevice.HandleAsync(origin, content, ct);
                    break;
                default:
                    log.LogDebug("Ignored an EDU of type {EduType} from {Origin}", type, origin);
                    break;
            }
        }
        catch (MatrixException e)
        {
            log.LogInformation("Ignored an EDU of type {EduType} from {Origin}: {Reason}", type, origin, e.Message);
        }
    }
}
