using System.Text.Json.Nodes;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;

namespace Homeserver.Core.Events;

/// <summary>
/// Adds the content hash and this server's signature to an outgoing event (server-server API,
/// "Adding hashes and signatures to outgoing events"): hash the full event, redact it, sign the
/// redacted form, copy the signatures back. Signing the redacted form is what lets the signature
/// survive a later redaction.
/// </summary>
public static class EventSigner
{
    /// <summary>
    /// Sets <c>hashes</c> to <c>{"sha256": …}</c> (replacing it, as the spec's example code does) and adds
    /// <paramref name="key"/>'s signature under <c>signatures[serverName]</c>, keeping other signatures.
    /// On failure the event is left unchanged.
    /// </summary>
    /// <exception cref="CanonicalJsonException">The event is not valid canonical JSON.</exception>
    /// <exception cref="ArgumentException"><c>signatures</c> is not an object of objects.</exception>
    public static void Sign(JsonObject pdu, RoomVersion version, string serverName, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentException.ThrowIfNullOrEmpty(serverName);
        ArgumentNullException.ThrowIfNull(key);

        string contentHash = ContentHasher.ComputeBase64(pdu);

        // Work on the redacted copy first and only touch the caller's object once nothing can fail.
        JsonObject redacted = EventRedactor.Redact(pdu, version);
        redacted[PduKeys.Hashes] = new JsonObject { [PduKeys.Sha256] = contentHash };
        JsonSigning.SignJson(redacted, serverName, key);

        pdu[PduKeys.Hashes] = new JsonObject { [PduKeys.Sha256] = contentHash };
        pdu[PduKeys.Signatures] = redacted[PduKeys.Signatures]!.DeepClone();
    }
}
