using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Json;
using NSec.Cryptography;

namespace Homeserver.Core.Keys;

/// <summary>Signing and checking JSON objects (spec appendices, "Signing JSON").</summary>
public static class JsonSigning
{
    private const string SignaturesKey = "signatures";
    private const string UnsignedKey = "unsigned";
    private const string Ed25519Prefix = SigningKey.Algorithm + ":";
    private const int SignatureLength = 64;
    private const int PublicKeyLength = 32;

    /// <summary>
    /// Adds <paramref name="key"/>'s signature under <c>signatures[entityName][keyId]</c>,
    /// keeping every other signature. <c>signatures</c> and <c>unsigned</c> are not covered.
    /// </summary>
    /// <exception cref="CanonicalJsonException">The object is not valid canonical JSON.</exception>
    /// <exception cref="ArgumentException"><c>signatures</c> or its entity entry is not an object.</exception>
    public static void SignJson(JsonObject obj, string entityName, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentException.ThrowIfNullOrEmpty(entityName);
        ArgumentNullException.ThrowIfNull(key);

        // Shape errors are raised before anything is mutated, so a failed call leaves obj untouched.
        JsonObject? signatures = GetObjectOrNull(obj, SignaturesKey, "signatures");
        JsonObject? entitySignatures = signatures is null ? null : GetObjectOrNull(signatures, entityName, $"signatures.{entityName}");

        // Encoding with the keys skipped, instead of removing and restoring them as the spec's
        // pseudo-code does, keeps the caller's object untouched if encoding throws.
        byte[] signature = key.Sign(CanonicalJson.EncodeWithout(obj, SignaturesKey, UnsignedKey));

        if (signatures is null)
        {
            signatures = [];
            obj[SignaturesKey] = signatures;
        }

        if (entitySignatures is null)
        {
            entitySignatures = [];
            signatures[entityName] = entitySignatures;
        }

        entitySignatures[key.KeyId] = UnpaddedBase64.Encode(signature);
    }

    /// <summary>
    /// Checks that <paramref name="entityName"/> signed <paramref name="obj"/> with the Ed25519 key
    /// <paramref name="keyId"/>. Any malformed input (missing or non-string signature, bad Base64,
    /// unknown algorithm, non-canonical content) counts as "not signed" rather than an exception,
    /// because callers treat all of those as untrusted remote data.
    /// </summary>
    public static bool VerifyJson(JsonObject obj, string entityName, string keyId, ReadOnlySpan<byte> publicKey)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(entityName);
        ArgumentNullException.ThrowIfNull(keyId);

        if (!keyId.StartsWith(Ed25519Prefix, StringComparison.Ordinal) || publicKey.Length != PublicKeyLength)
        {
            return false;
        }

        if (obj[SignaturesKey] is not JsonObject signatures
            || signatures[entityName] is not JsonObject entitySignatures
            || entitySignatures[keyId] is not JsonValue encoded
            || !encoded.TryGetValue(out string? signatureBase64)
            || !UnpaddedBase64.TryDecode(signatureBase64, out byte[]? signature)
            || signature.Length != SignatureLength)
        {
            return false;
        }

        byte[] canonical;
        try
        {
            canonical = CanonicalJson.EncodeWithout(obj, SignaturesKey, UnsignedKey);
        }
        catch (CanonicalJsonException)
        {
            return false;
        }

        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out PublicKey? key))
        {
            return false;
        }

        // NSec's TryImport lacks nullability annotations; true guarantees a key.
        return SignatureAlgorithm.Ed25519.Verify(key!, canonical, signature);
    }

    private static JsonObject? GetObjectOrNull(JsonObject parent, string name, string description) =>
        parent.TryGetPropertyValue(name, out JsonNode? node) switch
        {
            false => null,
            true when node is JsonObject child => child,
            _ => throw new ArgumentException($"'{description}' must be a JSON object.", nameof(parent)),
        };
}
