using System.Text.Json;
using Homeserver.Core.Errors;
using Homeserver.Core.Json;

namespace Homeserver.Http.Admin;

/// <summary>
/// Fields of Synapse's admin API bodies, where an absent key (leave it) differs from null (clear it), and a value of
/// the wrong type is 400 <c>M_INVALID_PARAM</c> naming the key.
/// </summary>
public static class AdminBody
{
    public static Optional<string> String(JsonElement body, string key) =>
        Field(body, key, v => v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Invalid(key, "a string"));

    public static Optional<string?> NullableString(JsonElement body, string key) =>
        Field<string?>(body, key, v => v.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => v.GetString(),
            _ => throw Invalid(key, "a string or null"),
        });

    public static Optional<bool> Bool(JsonElement body, string key) =>
        Field(body, key, v => v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Invalid(key, "a boolean"));

    public static Optional<long?> NullableLong(JsonElement body, string key) =>
        Field<long?>(body, key, v => v.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.Number when v.TryGetInt64(out var n) => (long?)n,
            _ => throw Invalid(key, "an integer or null"),
        });

    private static Optional<T> Field<T>(JsonElement body, string key, Func<JsonElement, T> read) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(key, out var v) ? Optional.Of(read(v)) : default;

    private static MatrixException Invalid(string key, string what) => MatrixException.InvalidParam($"'{key}' must be {what}");
}
