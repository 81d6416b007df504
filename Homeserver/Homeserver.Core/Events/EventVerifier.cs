using System.Text.Json.Nodes;
using Homeserver.Core.Keys;

namespace Homeserver.Core.Events;

/// <summary>
/// Checks received events (server-server API, "Validating hashes and signatures on received events").
/// Which servers must have signed (the sender's, plus special cases such as third-party invites) and
/// which keys are trusted at the event's timestamp is the caller's decision; this checks one key.
/// </summary>
public static class EventVerifier
{
    /// <summary>
    /// Whether <paramref name="serverName"/> signed the redacted form of the event with the Ed25519 key
    /// <paramref name="keyId"/>. Succeeds for the full event and for a redacted copy alike, as the spec requires.
    /// </summary>
    public static bool VerifySignature(JsonObject pdu, RoomVersion version, string serverName, string keyId, ReadOnlySpan<byte> publicKey)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(version);
        return JsonSigning.VerifyJson(EventRedactor.Redact(pdu, version), serverName, keyId, publicKey);
    }

    /// <summary>Whether <c>hashes.sha256</c> matches the event's full content.</summary>
    public static bool VerifyContentHash(JsonObject pdu) => ContentHasher.Matches(pdu);

    /// <summary>Both checks in the order the spec gives: signature first, then the content hash.</summary>
    public static EventVerification Verify(JsonObject pdu, RoomVersion version, string serverName, string keyId, ReadOnlySpan<byte> publicKey)
    {
        if (!VerifySignature(pdu, version, serverName, keyId, publicKey))
        {
            return EventVerification.SignatureInvalid;
        }

        return VerifyContentHash(pdu) ? EventVerification.Valid : EventVerification.ContentHashMismatch;
    }
}
