using System.Text.Json.Nodes;
using Homeserver.Core.Push.Pushers;

namespace Homeserver.Core.Push.Delivery;

/// <summary>
/// Builds the Push Gateway API's <c>/notify</c> body. Web Push (MSC4174) sends the same body, encrypted.
/// </summary>
public static class PushNotificationFormatter
{
    public const string EventIdOnly = "event_id_only";

    public static JsonObject Format(PusherRecord pusher, PushEventDetails e, JsonArray actions, long unread)
    {
        var data = JsonNode.Parse(pusher.Data)!.AsObject();
        var tweaks = PushTweaks.From(actions);
        var counts = new JsonObject();
        // The spec asks for zero counts to be left out.
        if (unread > 0)
            counts["unread"] = unread;
        var notification = new JsonObject { ["event_id"] = e.EventId, ["room_id"] = e.RoomId };
        if (data["format"] is not JsonValue format || !format.TryGetValue<string>(out var f) || f != EventIdOnly)
        {
            // Synapse's notifications still carry the event ID as "id" too, and gateways in use read that.
            notification["id"] = e.EventId;
            notification["type"] = e.Type;
            notification["sender"] = e.Sender;
            if (e.SenderDisplayName is not null)
                notification["sender_display_name"] = e.SenderDisplayName;
            // A room without a name is shown by its canonical alias, as Synapse names it.
            if ((e.RoomName ?? e.RoomAlias) is { } roomName)
                notification["room_name"] = roomName;
            if (e.RoomAlias is not null)
                notification["room_alias"] = e.RoomAlias;
            if (e.Type == "m.room.member")
            {
                if (e.Content?["membership"] is JsonValue membership && membership.TryGetValue<string>(out var m))
                    notification["membership"] = m;
                notification["user_is_target"] = e.StateKey == pusher.UserId;
            }
            notification["prio"] = PushTweaks.Priority(tweaks, e.Type);
            if (e.Content is { Count: > 0 })
                notification["content"] = e.Content.DeepClone();
        }
        notification["counts"] = counts;
        notification["devices"] = new JsonArray(Device(pusher, data, tweaks));
        return new JsonObject { ["notification"] = notification };
    }

    /// <summary>
    /// A notification of no event, only the user's new unread count, as Synapse sends when a read receipt changes
    /// it: the app's badge follows what the user read on another device.
    /// </summary>
    public static JsonObject FormatBadge(PusherRecord pusher, long unread)
    {
        var device = Device(pusher, JsonNode.Parse(pusher.Data)!.AsObject(), new JsonObject());
        device.Remove("tweaks");
        return new JsonObject
        {
            ["notification"] = new JsonObject
            {
                ["id"] = "",
                ["type"] = null,
                ["sender"] = "",
                ["counts"] = new JsonObject { ["unread"] = unread },
                ["devices"] = new JsonArray(device),
            },
        };
    }

    /// <summary>
    /// The pusher's entry in <c>devices</c>: its data as the client set it, minus the URL the server posts to
    /// and, for Web Push, the authentication secret that keys the encryption.
    /// </summary>
    private static JsonObject Device(PusherRecord pusher, JsonObject data, JsonObject tweaks)
    {
        data.Remove("url");
        if (pusher.Kind == PusherRecord.WebPushKind)
            data.Remove("auth");
        return new JsonObject
        {
            ["app_id"] = pusher.AppId,
            ["pushkey"] = pusher.Pushkey,
            ["pushkey_ts"] = pusher.PushkeyTs / 1000,
            ["data"] = data,
            ["tweaks"] = tweaks,
        };
    }

    /// <summary>The priority a formatted notification carries; Web Push maps it to the <c>Urgency</c> header.</summary>
    public static bool IsHighPriority(JsonObject body) =>
        body["notification"]?["prio"]?.GetValue<string>() != "low";

    public static JsonArray ParseActions(string json) => JsonNode.Parse(json)!.AsArray();
}
