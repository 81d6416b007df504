using System.Text.Json.Nodes;

namespace Homeserver.Core.Sync.Legacy;

/// <summary>
/// The r0 client format the deprecated endpoints answer in, as Synapse still serves it: every event repeats its
/// sender as <c>user_id</c>, and a presence event's content names its user. Bots written against those endpoints
/// read these fields.
/// </summary>
public static class LegacyFormat
{
    public static JsonObject Event(JsonObject e)
    {
        if (e["sender"] is not JsonValue sender)
            return e;
        e["user_id"] ??= sender.DeepClone();
        if (e["type"]?.GetValue<string>() == "m.presence" && e["content"] is JsonObject content)
            content["user_id"] ??= sender.DeepClone();
        return e;
    }
}
