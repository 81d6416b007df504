using System.Text.Json;
using System.Text.Json.Nodes;

namespace Homeserver.Core.Json;

/// <summary>
/// JSON text from outside a request body (an inline filter in a query parameter), parsed so that every mistake is
/// a <see cref="JsonException"/> for the caller to grade: a parsed tree decodes its strings only when read, and an
/// escaped lone surrogate (<c>"\ud800"</c>) would then throw something else, as a 500, wherever it is first read.
/// </summary>
public static class JsonText
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <exception cref="JsonException">The text is not JSON, or holds a string that is not text.</exception>
    public static JsonNode? Parse(string json)
    {
        try
        {
            var node = JsonNode.Parse(json, documentOptions: Options);
            Decode(node);
            return node;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new JsonException("The JSON holds an invalid escaped character (lone surrogate)", e);
        }
    }

    private static void Decode(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o)
                    Decode(value);
                break;
            case JsonArray a:
                foreach (var item in a)
                    Decode(item);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                _ = v.GetValue<string>();
                break;
        }
    }
}
