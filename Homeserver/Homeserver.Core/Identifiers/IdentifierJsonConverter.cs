using System.Text.Json;
using System.Text.Json.Serialization;

namespace Homeserver.Core.Identifiers;

/// <summary>
/// Writes an identifier as its text, as the spec's JSON has it; without it a typed ID in a response body would be
/// written as an object of its parts.
/// </summary>
public sealed class IdentifierJsonConverter<T> : JsonConverter<T> where T : struct, IIdentifier<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        T.TryParse(reader.GetString(), out T? id) ? id.Value : throw new JsonException($"Not a valid {typeof(T).Name}");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
