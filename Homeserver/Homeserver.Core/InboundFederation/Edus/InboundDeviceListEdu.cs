using System.Text.Json.Nodes;
using Homeserver.Core.E2ee;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Edus;
using Homeserver.Core.Identifiers;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation.Edus;

/// <summary>
/// <c>m.device_list_update</c> and <c>m.signing_key_update</c>: a user of the origin changed devices or cross-signing keys.
/// The kept device list of the user moves on (or is resynced on a gap), which records the change on the device-list
/// stream (<see cref="RemoteDeviceLists"/>): our users sharing a room with them see them in <c>device_lists.changed</c>
/// and query again. Users sharing no room with ours are nobody's business here.
/// </summary>
public sealed class InboundDeviceListEdu(RemoteDeviceLists lists, ILogger<InboundDeviceListEdu> log)
{
    public async Task HandleAsync(string origin, string type, JsonObject content, CancellationToken ct)
    {
        if (!PduReader.TryGetString(content["user_id"], out var user) || !UserId.TryParse(user, out var userId) || userId.Value.ServerName != origin)
        {
            log.LogInformation("Ignored a key update from {Origin} for a user not of it: {UserId}", origin, content["user_id"]?.ToJsonString());
            return;
        }
        if (type == EduTypes.DeviceListUpdate)
            await lists.ReceiveUpdateAsync(user, content, ct);
        else
            await lists.ReceiveSigningKeysAsync(user, content, ct);
    }
}
