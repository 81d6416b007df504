using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Homeserver.Core.Json;

/// <summary>
/// A JSON value already written as UTF-8, placed in a <see cref="JsonNode"/> tree and copied verbatim when the tree
/// is serialised: a large response (an initial sync holds thousands of events) is then not rebuilt node by node.
/// The bytes must be one valid JSON value; they are not checked again.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public sealed class RawJson(byte[] utf8)
{
    private static readonly JsonTypeInfo<RawJson> TypeInfo = (JsonTypeInfo<RawJson>)JsonSerializerOptions.Default.GetTypeInfo(typeof(RawJson));

    public ReadOnlySpan<byte> Utf8 => utf8;

    public JsonNode ToNode() => JsonValue.Create(this, TypeInfo)!;

    private sealed class RawJsonConverter : JsonConverter<RawJson>
    {
        // Only ever written into responses; what is read is read as ordinary nodes.
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("RawJson is written, never read");

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Utf8, skipInputValidation: true);
    }
}
