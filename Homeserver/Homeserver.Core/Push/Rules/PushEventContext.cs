using System.Text.Json.Nodes;

namespace Homeserver.Core.Push.Rules;

/// <summary>
/// What the rules look at for one event, shared by all its recipients: the event itself and the room's state
/// at it (joined member count, the sender's power level and the levels the <c>notifications</c> key requires).
/// </summary>
public sealed class PushEventContext(JsonObject ev, long memberCount, long senderPowerLevel, Func<string, long> notificationLevel)
{
    public JsonObject Event { get; } = ev;

    public long MemberCount { get; } = memberCount;

    public long SenderPowerLevel { get; } = senderPowerLevel;

    /// <summary>The power level the room requires to trigger a notification of the given <c>notifications</c> key.</summary>
    public Func<string, long> NotificationLevel { get; } = notificationLevel;

    public string? Body { get; } = ev["content"]?["body"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Whether the event carries <c>m.mentions</c>, which turns off the legacy mention rules.</summary>
    public bool HasMentions { get; } = ev["content"] is JsonObject content && content.ContainsKey("m.mentions");

    public string? RoomId { get; } = ev["room_id"] is JsonValue r && r.TryGetValue<string>(out var room) ? room : null;

    public string? Sender { get; } = ev["sender"] is JsonValue u && u.TryGetValue<string>(out var sender) ? sender : null;
}
