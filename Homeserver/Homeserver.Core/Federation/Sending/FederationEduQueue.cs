using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;

namespace Homeserver.Core.Federation.Sending;

/// <summary>
/// Queues an EDU (typing, receipts, presence, device lists, to-device) for a destination: it rides in the
/// destination's next transaction, up to 100 per transaction, durably and in the order queued.
/// </summary>
public sealed class FederationEduQueue(FederationOutboxStore store, FederationSender sender, ServerIdentity server, FederationOptions options)
{
    public async Task EnqueueAsync(string destination, string eduType, JsonObject content, CancellationToken ct)
    {
        if (!options.Enabled || destination == server.ServerName)
            return;
        await store.QueueEduAsync(destination, eduType, content.ToJsonString(), ct);
        sender.Wake([destination]);
    }
}
