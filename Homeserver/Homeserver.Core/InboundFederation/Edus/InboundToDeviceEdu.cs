using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Storage;
using Homeserver.Core.ToDevice;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation.Edus;

/// <summary><c>m.direct_to_device</c>: messages of a user of the origin for our users' devices, delivered once per message ID.</summary>
public sealed class InboundToDeviceEdu(ToDeviceService toDevice, ILogger<InboundToDeviceEdu> log)
{
    public async Task HandleAsync(string origin, JsonObject content, CancellationToken ct)
    {
        if (!PduReader.TryGetString(content["sender"], out var sender) || !UserId.TryParse(sender, out var senderId)
            || !PduReader.TryGetString(content["type"], out var type) || !StoredText.IsIdentifier(type)
            || !PduReader.TryGetString(content["message_id"], out var messageId) || !StoredText.IsIdentifier(messageId)
            || content["messages"] is not JsonObject messages)
        {
            log.LogInformation("Ignored a malformed m.direct_to_device EDU from {Origin}", origin);
            return;
        }
        if (senderId.Value.ServerName != origin)
        {
            log.LogInformation("Ignored to-device messages of {Sender} from {Origin}: not its user", sender, origin);
            return;
        }
        await toDevice.ReceiveAsync(origin, senderId.Value, type, messageId, JsonSerializer.SerializeToElement(messages), ct);
    }
}
