using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;

namespace Homeserver.Core.Events;

/// <summary>
/// The reference hash (server-server API, "Calculating the reference hash for an event"): redact the
/// event, drop <c>signatures</c> and <c>unsigned</c>, SHA-256 the canonical JSON. The redacted form
/// keeps <c>hashes</c>, so the reference hash still commits to the full content through the content hash.
/// </summary>
public static class ReferenceHasher
{
    /// <exception cref="CanonicalJsonException">The redacted event is not valid canonical JSON.</exception>
    public static byte[] Compute(JsonObject pdu, RoomVersion version)
    {
        JsonObject redacted = EventRedactor.Redact(pdu, version);
        return SHA256.HashData(CanonicalJson.EncodeWithout(redacted, PduKeys.Signatures, PduKeys.Unsigned));
    }

    /// <summary>
    /// The reference hashes of <paramref name="events"/> by event ID, as room versions 1–2 list them beside their
    /// <c>prev_events</c> and <c>auth_events</c> (<see cref="EventBuilder.ReferenceHashes"/>).
    /// </summary>
    public static IReadOnlyDictionary<EventId, byte[]> ByEventId(IEnumerable<Pdu> events) =>
        events.DistinctBy(e => e.EventId).ToDictionary(e => e.EventId, e => Compute(e.Json, e.RoomVersion));

    /// <summary>
    /// The event's ID: <c>$</c> + the reference hash in the version's Base64 flavour (room versions,
    /// "Event IDs"). Taken over the PDU exactly as given, so a stray top-level <c>event_id</c> (which
    /// redaction keeps) would change the result; hash-based PDUs do not carry one.
    /// </summary>
    /// <exception cref="NotSupportedException">The version's event IDs are not hashes (v1–v2): read <c>event_id</c> instead.</exception>
    /// <exception cref="CanonicalJsonException">The redacted event is not valid canonical JSON.</exception>
    public static EventId ComputeEventId(JsonObject pdu, RoomVersion version) => version.EventIdFormat switch
    {
        EventIdFormat.UrlSafeReferenceHash => EventId.FromReferenceHash(Compute(pdu, version)),
        EventIdFormat.ReferenceHash => EventId.Parse(EventId.Sigil + UnpaddedBase64.Encode(Compute(pdu, version))),
        _ => throw new NotSupportedException($"Room version {version.Id} does not derive event IDs from hashes."),
    };
}
