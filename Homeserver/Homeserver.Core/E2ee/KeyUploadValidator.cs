using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.E2ee;

/// <summary>
/// Shape checks of uploaded public keys (spec "Key algorithms", DeviceKeys, KeyObject, CrossSigningKey). The
/// server stores keys for other clients to check, so it verifies ownership and form, not the device's own
/// signatures; sizes are bounded so one device cannot fill the database.
/// </summary>
public static class KeyUploadValidator
{
    public const int MaxDeviceKeysBytes = 16_384;
    public const int MaxKeyObjectBytes = 4_096;
    public const int MaxKeysPerUpload = 1_000;
    public const int MaxAlgorithms = 32;
    public const int MaxIdLength = 255;

    /// <summary>A one-time or fallback key: <c>algorithm:key_id</c> split, and the key as JSON text.</summary>
    public sealed record UploadedKey(string Algorithm, string KeyId, string Json);

    /// <summary>
    /// Checks <c>device_keys</c> against the spec's DeviceKeys schema and returns it as stored (its <c>unsigned</c>
    /// dropped: the server adds its own). Key names and values are the clients' business (the spec says they
    /// "should" follow the algorithm, and Synapse takes any string), so only their types are checked here.
    /// </summary>
    public static JsonObject DeviceKeys(JsonElement keys, UserId userId, string deviceId)
    {
        if (keys.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson("device_keys must be an object");
        if (System.Text.Encoding.UTF8.GetByteCount(keys.GetRawText()) > MaxDeviceKeysBytes)
            throw new MatrixException(413, ErrorCodes.TooLarge, $"device_keys may not exceed {MaxDeviceKeysBytes} bytes");
        var ownerId = RequiredString(keys, "user_id", "device_keys");
        var ownerDevice = RequiredString(keys, "device_id", "device_keys");
        if (!keys.TryGetProperty("algorithms", out var algorithms) || algorithms.ValueKind != JsonValueKind.Array
            || algorithms.GetArrayLength() > MaxAlgorithms || algorithms.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String || a.GetString()!.Length > MaxIdLength))
            throw MatrixException.BadJson($"device_keys.algorithms must be an array of at most {MaxAlgorithms} algorithm names");
        if (!keys.TryGetProperty("keys", out var publicKeys) || publicKeys.ValueKind != JsonValueKind.Object
            || publicKeys.EnumerateObject().Any(k => k.Value.ValueKind != JsonValueKind.String))
            throw MatrixException.BadJson("device_keys.keys must map key IDs to keys");
        if (publicKeys.EnumerateObject().Count() > MaxAlgorithms)
            throw MatrixException.InvalidParam($"device_keys.keys may hold at most {MaxAlgorithms} keys");
        Signatures(keys, "device_keys", required: true);
        if (ownerId != userId.ToString())
            throw MatrixException.InvalidParam("device_keys.user_id must be your own user ID");
        if (ownerDevice != deviceId)
            throw MatrixException.InvalidParam("device_keys.device_id must be the device of the access token");
        var node = (JsonObject)JsonNode.Parse(keys.GetRawText())!;
        node.Remove("unsigned");
        return node;
    }

    /// <summary>Checks <c>one_time_keys</c> or <c>fallback_keys</c>: <c>algorithm:key_id</c> names, a string or a signed KeyObject each.</summary>
    public static IReadOnlyList<UploadedKey> OneTimeKeys(JsonElement keys, string field)
    {
        if (keys.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson($"{field} must be an object");
        var result = new List<UploadedKey>();
        foreach (var k in keys.EnumerateObject())
        {
            if (result.Count == MaxKeysPerUpload)
                throw new MatrixException(413, ErrorCodes.TooLarge, $"At most {MaxKeysPerUpload} keys may be uploaded at once");
            var (algorithm, id) = SplitKeyId(k.Name, field);
            var json = k.Value.GetRawText();
            if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxKeyObjectBytes)
                throw new MatrixException(413, ErrorCodes.TooLarge, $"{field}.{k.Name} may not exceed {MaxKeyObjectBytes} bytes");
            switch (k.Value.ValueKind)
            {
                case JsonValueKind.String:
                    break;
                case JsonValueKind.Object when k.Value.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String:
                    Signatures(k.Value, $"{field}.{k.Name}", required: true);
                    break;
                default:
                    throw MatrixException.InvalidParam($"{field}.{k.Name} must be a key or an object with a key and signatures");
            }
            result.Add(new UploadedKey(algorithm, id, json));
        }
        return result;
    }

    /// <summary>
    /// Checks a cross-signing key of <paramref name="userId"/> for <paramref name="usage"/> and returns its
    /// unpadded Base64 public key: exactly one <c>ed25519:&lt;key&gt;</c> entry whose value is that key.
    /// </summary>
    public static string CrossSigningKey(JsonElement key, UserId userId, string usage, string field)
    {
        if (key.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson($"{field} must be an object");
        if (System.Text.Encoding.UTF8.GetByteCount(key.GetRawText()) > MaxKeyObjectBytes)
            throw new MatrixException(413, ErrorCodes.TooLarge, $"{field} may not exceed {MaxKeyObjectBytes} bytes");
        if (RequiredString(key, "user_id", field) != userId.ToString())
            throw MatrixException.InvalidParam($"{field}.user_id must be your own user ID");
        if (!key.TryGetProperty("usage", out var usages) || usages.ValueKind != JsonValueKind.Array
            || !usages.EnumerateArray().Any(u => u.ValueKind == JsonValueKind.String && u.GetString() == usage))
            throw MatrixException.InvalidParam($"{field}.usage must contain '{usage}'");
        if (!key.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson($"{field}.keys must be an object");
        var entries = keys.EnumerateObject().ToList();
        if (entries.Count != 1)
            throw MatrixException.InvalidParam($"{field}.keys must hold exactly one key");
        var (algorithm, id) = SplitKeyId(entries[0].Name, $"{field}.keys");
        if (algorithm != "ed25519" || entries[0].Value.ValueKind != JsonValueKind.String || entries[0].Value.GetString() != id || !IsPublicKey(algorithm, id))
            throw MatrixException.InvalidParam($"{field}.keys must be one 'ed25519:<public key>' entry whose value is that key");
        Signatures(key, field, required: false);
        return id;
    }

    /// <summary>Splits <c>algorithm:id</c>; both parts must be non-empty.</summary>
    public static (string Algorithm, string Id) SplitKeyId(string name, string field)
    {
        var colon = name.IndexOf(':');
        if (colon <= 0 || colon == name.Length - 1 || name.Length > MaxIdLength)
            throw MatrixException.InvalidParam($"{field}: '{name}' is not of the form <algorithm>:<id>");
        return (name[..colon], name[(colon + 1)..]);
    }

    /// <summary>A cross-signing key is verified against, so it must be an ed25519 key: 32 bytes of unpadded Base64.</summary>
    private static bool IsPublicKey(string algorithm, string value) =>
        algorithm == "ed25519" && UnpaddedBase64.TryDecode(value, out var bytes) && bytes.Length == 32;

    private static void Signatures(JsonElement obj, string field, bool required)
    {
        if (!obj.TryGetProperty("signatures", out var signatures))
        {
            if (required)
                throw MatrixException.BadJson($"{field}.signatures is missing");
            return;
        }
        if (signatures.ValueKind != JsonValueKind.Object || signatures.EnumerateObject().Any(u =>
                u.Value.ValueKind != JsonValueKind.Object || u.Value.EnumerateObject().Any(s => s.Value.ValueKind != JsonValueKind.String)))
            throw MatrixException.BadJson($"{field}.signatures must map user IDs to key IDs to signatures");
    }

    private static string RequiredString(JsonElement obj, string name, string field) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw MatrixException.BadJson($"{field}.{name} must be a string");
}
