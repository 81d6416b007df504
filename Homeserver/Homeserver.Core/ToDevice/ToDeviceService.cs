using System.Text.Json;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.ToDevice;

/// <summary>
/// <c>PUT /sendToDevice</c> (spec "Send-to-Device messaging"): queues one message per target device in durable
/// inboxes and wakes the recipients' syncs. Messages to other servers are dropped until federation exists.
/// </summary>
public sealed class ToDeviceService(ToDeviceStore store, DeviceStore devices, UserStore users,
    ServerIdentity server, TimeProvider time)
{
    /// <summary>The largest content of one message, in bytes of JSON.</summary>
    public const int MaxContentBytes = 65_536;
    public const string AllDevices = "*";

    public async Task SendAsync(UserId sender, string senderDevice, string eventType, string txnId, JsonElement messages, CancellationToken ct)
    {
        if (messages.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson("messages must be an object of user IDs");
        var deliveries = new List<ToDeviceStore.Delivery>();
        foreach (var user in messages.EnumerateObject())
        {
            var target = UserId.Parse(user.Name);
            if (user.Value.ValueKind != JsonValueKind.Object)
                throw MatrixException.BadJson($"messages.{user.Name} must be an object of device IDs");
            foreach (var device in user.Value.EnumerateObject())
            {
                if (device.Value.ValueKind != JsonValueKind.Object)
                    throw MatrixException.BadJson($"The message for {user.Name}/{device.Name} must be an object");
                if (System.Text.Encoding.UTF8.GetByteCount(device.Value.GetRawText()) > MaxContentBytes)
                    throw new MatrixException(413, ErrorCodes.TooLarge, $"A to-device message may not exceed {MaxContentBytes} bytes");
            }
            if (target.ServerName != server.ServerName || !await users.ExistsAsync(target.ToString(), ct))
                continue;
            var known = (await devices.ListAsync(target.ToString(), ct)).Select(d => d.DeviceId).ToHashSet(StringComparer.Ordinal);
            foreach (var device in user.Value.EnumerateObject())
            {
                var content = device.Value.GetRawText();
                var targets = device.Name == AllDevices ? known : known.Contains(device.Name) ? [device.Name] : [];
                deliveries.AddRange(targets.Select(d => new ToDeviceStore.Delivery(target.ToString(), d, content)));
            }
        }
        // A device named both by ID and by '*' would otherwise get the message twice.
        var distinct = deliveries.DistinctBy(d => (d.UserId, d.DeviceId)).ToList();
        await store.EnqueueAsync(sender.ToString(), senderDevice, txnId, eventType, distinct, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
    }
}
