using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.ToDevice;

/// <summary>
/// <c>PUT /sendToDevice</c> (spec "Send-to-Device messaging"): queues one message per target device in durable
/// inboxes and wakes the recipients' syncs; messages for users of other servers go to their server as one
/// <c>m.direct_to_device</c> EDU per server, queued in the same transaction. Such EDUs received from other servers
/// land in the inboxes the same way, once per message ID.
/// </summary>
public sealed class ToDeviceService(ToDeviceStore store, DeviceStore devices, UserStore users, IRemoteToDevice remote,
    ServerIdentity server, TimeProvider time)
{
    /// <summary>The largest content of one message, in bytes of JSON.</summary>
    public const int MaxContentBytes = 65_536;
    public const string AllDevices = "*";

    public async Task SendAsync(UserId sender, string senderDevice, string eventType, string txnId, JsonElement messages, CancellationToken ct)
    {
        if (messages.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson("messages must be an object of user IDs");
        foreach (var user in messages.EnumerateObject())
        {
            _ = UserId.Parse(user.Name);
            if (user.Value.ValueKind != JsonValueKind.Object)
                throw MatrixException.BadJson($"messages.{user.Name} must be an object of device IDs");
            foreach (var device in user.Value.EnumerateObject())
            {
                if (device.Value.ValueKind != JsonValueKind.Object)
                    throw MatrixException.BadJson($"The message for {user.Name}/{device.Name} must be an object");
                if (System.Text.Encoding.UTF8.GetByteCount(device.Value.GetRawText()) > MaxContentBytes)
                    throw new MatrixException(413, ErrorCodes.TooLarge, $"A to-device message may not exceed {MaxContentBytes} bytes");
            }
        }
        var remoteByServer = messages.EnumerateObject()
            .Where(u => UserId.Parse(u.Name).ServerName != server.ServerName)
            .GroupBy(u => UserId.Parse(u.Name).ServerName)
            .ToList();
        var messageId = Guid.NewGuid().ToString("N");
        await store.EnqueueAsync(sender.ToString(), senderDevice, txnId, eventType, await LocalDeliveriesAsync(messages, ct),
            time.GetUtcNow().ToUnixTimeMilliseconds(), remoteByServer.Count == 0 ? null : async st =>
            {
                foreach (var group in remoteByServer)
                    await remote.QueueAsync(st, group.Key, sender.ToString(), eventType, messageId,
                        new JsonObject(group.Select(u => KeyValuePair.Create(u.Name, JsonNode.Parse(u.Value.GetRawText())))), ct);
            }, ct);
    }

    /// <summary>
    /// An <c>m.direct_to_device</c> EDU of <paramref name="origin"/>: its messages for our users' devices, kept once per
    /// sender, type and message ID however often the EDU comes; entries for users of other servers are not ours to deliver.
    /// </summary>
    public async Task ReceiveAsync(string origin, UserId sender, string eventType, string messageId, JsonElement messages, CancellationToken ct)
    {
        var deliveries = await LocalDeliveriesAsync(messages, ct);
        // The remote sender has no device here: its transaction IDs are kept under its server's name.
        await store.EnqueueAsync(sender.ToString(), origin, messageId, eventType, deliveries, time.GetUtcNow().ToUnixTimeMilliseconds(), null, ct);
    }

    /// <summary>One delivery per existing device of our users the messages name (<c>*</c> for all of a user's devices).</summary>
    private async Task<List<ToDeviceStore.Delivery>> LocalDeliveriesAsync(JsonElement messages, CancellationToken ct)
    {
        var deliveries = new List<ToDeviceStore.Delivery>();
        foreach (var user in messages.EnumerateObject())
        {
            if (!UserId.TryParse(user.Name, out var target) || target.Value.ServerName != server.ServerName || user.Value.ValueKind != JsonValueKind.Object
                || !await users.ExistsAsync(user.Name, ct))
                continue;
            var known = (await devices.ListAsync(user.Name, ct)).Select(d => d.DeviceId).ToHashSet(StringComparer.Ordinal);
            foreach (var device in user.Value.EnumerateObject())
            {
                if (device.Value.ValueKind != JsonValueKind.Object)
                    continue;
                var content = device.Value.GetRawText();
                var targets = device.Name == AllDevices ? known : known.Contains(device.Name) ? [device.Name] : [];
                deliveries.AddRange(targets.Select(d => new ToDeviceStore.Delivery(user.Name, d, content)));
            }
        }
        // A device named both by ID and by '*' would otherwise get the message twice.
        return deliveries.DistinctBy(d => (d.UserId, d.DeviceId)).ToList();
    }
}
