using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Json;

namespace Homeserver.Core.Events;

/// <summary>
/// The content hash (server-server API, "Calculating the content hash for an event"): SHA-256 of the
/// canonical JSON of the whole, unredacted event without <c>unsigned</c>, <c>signatures</c> and <c>hashes</c>.
/// It is what lets a signature over the redacted event still commit to the full content.
/// </summary>
public static class ContentHasher
{
    /// <exception cref="CanonicalJsonException">The event is not valid canonical JSON.</exception>
    public static byte[] Compute(JsonObject pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        return SHA256.HashData(CanonicalJson.EncodeWithout(pdu, PduKeys.Unsigned, PduKeys.Signatures, PduKeys.Hashes));
    }

    /// <summary>The hash as it is stored in <c>hashes.sha256</c>: unpadded standard Base64.</summary>
    /// <exception cref="CanonicalJsonException">The event is not valid canonical JSON.</exception>
    public static string ComputeBase64(JsonObject pdu) => UnpaddedBase64.Encode(Compute(pdu));

    /// <summary>
    /// Whether <c>hashes.sha256</c> matches the event. Anything malformed (missing hash, bad Base64,
    /// non-canonical event) is a mismatch, as the spec treats it: the receiver then uses the redacted copy.
    /// </summary>
    public static bool Matches(JsonObject pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        if (pdu[PduKeys.Hashes] is not JsonObject hashes
            || hashes[PduKeys.Sha256] is not JsonValue value
            || !value.TryGetValue(out string? encoded)
            || !UnpaddedBase64.TryDecode(encoded, out byte[]? claimed))
        {
            return false;
        }

        try
        {
            return CryptographicOperations.FixedTimeEquals(claimed, Compute(pdu));
        }
        catch (CanonicalJsonException)
        {
            return false;
        }
    }
}
