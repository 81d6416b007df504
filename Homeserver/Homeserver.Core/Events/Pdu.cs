using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;

namespace Homeserver.Core.Events;

/// <summary>
/// A validated persistent data unit (server-server API, "PDUs") with typed accessors over its JSON.
/// The JSON stays the source of truth, so unknown keys survive a round trip untouched.
/// </summary>
public sealed class Pdu
{
    private Pdu(JsonObject json, RoomVersion roomVersion, EventId eventId)
    {
        Json = json;
        RoomVersion = roomVersion;
        EventId = eventId;
    }

    /// <summary>The event in federation format. Treat it as read-only: <see cref="EventId"/> was computed from it.</summary>
    public JsonObject Json { get; }

    public RoomVersion RoomVersion { get; }

    /// <summary>
    /// The event's ID: the reference hash from room version 3 (such PDUs do not carry it), the <c>event_id</c> the
    /// origin minted before.
    /// </summary>
    public EventId EventId { get; }

    public string Type => GetString(PduKeys.Type)!;

    public string? StateKey => GetString(PduKeys.StateKey);

    /// <summary>A state event is one with a <c>state_key</c>, even an empty one.</summary>
    public bool IsState => Json.ContainsKey(PduKeys.StateKey);

    public UserId Sender => UserId.Parse(GetString(PduKeys.Sender));

    /// <summary>The room; for a room version 12 create event, which has no <c>room_id</c>, the room its ID defines.</summary>
    public RoomId RoomId => GetString(PduKeys.RoomId) is { } roomId ? RoomId.Parse(roomId) : RoomId.FromCreateEventId(EventId);

    public long OriginServerTs => GetInteger(PduKeys.OriginServerTs);

    public long Depth => GetInteger(PduKeys.Depth);

    public IReadOnlyList<EventId> PrevEvents => GetEventIds(PduKeys.PrevEvents);

    public IReadOnlyList<EventId> AuthEvents => GetEventIds(PduKeys.AuthEvents);

    public JsonObject Content => (JsonObject)Json[PduKeys.Content]!;

    /// <summary>The unpadded Base64 content hash from <c>hashes.sha256</c>.</summary>
    public string ContentHash => GetString(Json[PduKeys.Hashes]![PduKeys.Sha256])!;

    /// <summary>Server name → key ID → signature.</summary>
    public JsonObject Signatures => (JsonObject)Json[PduKeys.Signatures]!;

    public JsonObject? Unsigned => Json[PduKeys.Unsigned] as JsonObject;

    /// <summary>
    /// For <c>m.room.redaction</c>, the event it redacts: read from <c>content</c> from room version 11 and
    /// from the top level before, with no fallback, because only that location is covered by the signature.
    /// </summary>
    public EventId? Redacts
    {
        get
        {
            JsonObject holder = RoomVersion.RedactsInContent ? Content : Json;
            return Type == EventTypes.Redaction && EventId.TryParse(GetString(holder[PduKeys.Redacts]), out EventId? id) ? id : null;
        }
    }

    /// <summary>Validates <paramref name="json"/> against <paramref name="roomVersion"/> and takes ownership of it.</summary>
    /// <exception cref="InvalidEventException">The event is malformed.</exception>
    /// <exception cref="EventTooLargeException">The event breaks a size limit.</exception>
    public static Pdu FromJson(JsonObject json, RoomVersion roomVersion)
    {
        PduValidator.Validate(json, roomVersion);
        EventId eventId = roomVersion.EventIdFormat == EventIdFormat.ServerGenerated
            ? EventId.Parse(GetString(json[PduKeys.EventId]))
            : ReferenceHasher.ComputeEventId(json, roomVersion);
        return new Pdu(json, roomVersion, eventId);
    }

    public byte[] ToCanonicalJson() => CanonicalJson.Encode(Json);

    public override string ToString() => $"{EventId} ({Type})";

    private string? GetString(string key) => GetString(Json[key]);

    private static string? GetString(JsonNode? node) => PduReader.TryGetString(node, out string? value) ? value : null;

    private long GetInteger(string key) => PduReader.TryGetInteger(Json[key], out long value) ? value : 0;

    // The v1 format lists [ID, hashes] pairs; the validator has checked the shape for the version.
    private List<EventId> GetEventIds(string key) =>
        ((JsonArray)Json[key]!).Select(node => EventId.Parse(GetString(RoomVersion.EventReferencesCarryHashes ? node![0] : node))).ToList();
}
