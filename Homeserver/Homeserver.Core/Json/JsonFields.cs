using System.Text.Json;
using System.Text.Json.Nodes;

namespace Homeserver.Core.Json;

/// <summary>Reads of optional, possibly ill-typed fields in event content: anything but a string is "absent".</summary>
public static class JsonFields
{
    public static string? String(JsonNode? obj, string key) =>
        obj is JsonObject o && o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
