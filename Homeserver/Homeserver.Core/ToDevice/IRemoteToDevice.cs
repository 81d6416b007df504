using System.Text.Json.Nodes;
using Homeserver.Core.Streams;

namespace Homeserver.Core.ToDevice;

/// <summary>
/// Where to-device messages for users of another server go: that server, which federation implements. Called in the
/// transaction that records the sender's transaction ID, so a retried send queues them once and a crash loses neither.
/// </summary>
public interface IRemoteToDevice
{
    /// <param name="messages">That server's users to device IDs (or <c>*</c>) to contents.</param>
    Task QueueAsync(StreamTransaction st, string serverName, string sender, string eventType, string messageId, JsonObject messages, CancellationToken ct);
}
