using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Federation.Sending;
using Homeserver.Core.Streams;
using Homeserver.Core.ToDevice;

namespace Homeserver.Core.Federation.Edus;

/// <summary>
/// Queues to-device messages for another server's users as one <c>m.direct_to_device</c> EDU, in the sender's
/// transaction: the durable queue then delivers it at least once, across restarts and outages of either side.
/// </summary>
public sealed class FederationToDevice(FederationOptions options, ServerIdentity server, FederationSender federationSender) : IRemoteToDevice
{
    public async Task QueueAsync(StreamTransaction st, string serverName, string sender, string eventType, string messageId, JsonObject messages,
        CancellationToken ct)
    {
        if (!options.Enabled || serverName == server.ServerName)
            return;
        var content = new JsonObject { ["sender"] = sender, ["type"] = eventType, ["message_id"] = messageId, ["messages"] = messages };
        await FederationOutboxStore.QueueEduAsync(st.Connection, st.Transaction, serverName, EduTypes.DirectToDevice, content.ToJsonString(), ct);
        st.OnCommitted(() => federationSender.Wake([serverName]));
    }
}
