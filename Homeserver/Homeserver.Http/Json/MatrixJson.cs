using System.Text.Json;
using System.Text.Json.Serialization;

namespace Homeserver.Http.Json;

/// <summary>The one JSON configuration of the wire: the spec's snake_case names, nulls left out.</summary>
public static class MatrixJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions());

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DictionaryKeyPolicy = null;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        // Clients and signatures expect "+" and non-ASCII text as-is, not as \u escapes.
        o.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.AllowDuplicateProperties = false;
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        return o;
    }

    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
        AllowDuplicateProperties = false,
    };
}
