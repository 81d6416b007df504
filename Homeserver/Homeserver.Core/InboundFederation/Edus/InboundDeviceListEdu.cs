using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.E2ee;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Streams;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation.Edus;

/// <summary>
/// <c>m.device_list_update</c> and <c>m.signing_key_update</c>: a user of the origin changed devices or cross-signing keys.
/// We keep no copy of other servers' keys (<c>/keys/query</c> asks their server each time), so the news is recorded as a
/// change of that user on the device-list stream: our users sharing a room with them see them in
/// <c>device_lists.changed</c> and query afresh. Users sharing no room with ours are nobody's business here.
/// </summary>
public sealed class InboundDeviceListEdu(StreamPublisher writer, CurrentStateStore current, ServerIdentity server, ILogger<InboundDeviceListEdu> log)
{
    public async Task HandleAsync(string origin, JsonObject content, CancellationToken ct)
    {
        if (!PduReader.TryGetString(content["user_id"], out var user) || !UserId.TryParse(user, out var userId) || userId.Value.ServerName != origin)
        {
            log.LogInformation("Ignored a key update from {Origin} for a user not of it: {UserId}", origin, content["user_id"]?.ToJsonString());
            return;
        }
        var sharing = await current.UsersSharingRoomWithAsync(user, ct);
        if (!sharing.Any(u => UserId.TryParse(u, out var id) && id.Value.ServerName == server.ServerName))
            return;
        await writer.WriteAsync(st => DeviceListStore.RecordChangeAsync(st, user, ct), ct);
    }
}
