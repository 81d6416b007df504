using System.Text.Json.Nodes;

namespace Homeserver.Core.Push.Delivery;

/// <summary>What a push rule's actions say about presentation: the tweaks and the notification's priority.</summary>
public static class PushTweaks
{
    /// <summary>The <c>set_tweak</c> actions as a tweaks object; a tweak without a value (highlight) means true.</summary>
    public static JsonObject From(JsonArray actions)
    {
        var tweaks = new JsonObject();
        foreach (var action in actions)
            if (action is JsonObject o && o["set_tweak"]?.GetValue<string>() is { } name)
                tweaks[name] = o.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : true;
        return tweaks;
    }

    /// <summary>
    /// High when the rules asked for a sound or a highlight, or when the content is encrypted and the rules could not
    /// judge it; low otherwise, so gateways may batch it to save the device's battery.
    /// </summary>
    public static string Priority(JsonObject tweaks, string eventType)
    {
        var loud = tweaks["sound"] is not null || (tweaks["highlight"] is JsonValue h && h.TryGetValue<bool>(out var on) && on);
        return loud || eventType == "m.room.encrypted" ? "high" : "low";
    }
}
