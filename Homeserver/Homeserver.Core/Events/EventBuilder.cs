using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;

namespace Homeserver.Core.Events;

/// <summary>
/// Builds a new local event: assembles the PDU from its parts, adds the content hash and this server's
/// signature (server-server API, "Signing Events"), then validates format and size limits on the final,
/// signed bytes. Choosing prev_events, auth_events and depth is the caller's job; they are inputs here. In room
/// versions 1 and 2 the builder mints the event's ID (<c>$random:</c> the sender's server), as the origin does.
/// </summary>
public sealed class EventBuilder
{
    // 120 random bits: a room version 1–2 event ID must be unique among everything this server mints.
    private const int MintedIdBytes = 15;

    public required RoomVersion RoomVersion { get; init; }

    public required string Type { get; init; }

    /// <summary>The sending user; the event is signed as this user's server, as the auth rules require.</summary>
    public required UserId Sender { get; init; }

    /// <summary>Required, except for a room version 12 <c>m.room.create</c> event, whose ID defines the room.</summary>
    public RoomId? RoomId { get; init; }

    /// <summary>Set for state events (possibly to the empty string); null for message events.</summary>
    public string? StateKey { get; init; }

    /// <summary>Copied, so the caller's object is neither re-parented nor changed.</summary>
    public JsonObject Content { get; init; } = [];

    public IReadOnlyList<EventId> PrevEvents { get; init; } = [];

    public IReadOnlyList<EventId> AuthEvents { get; init; } = [];

    /// <summary>
    /// Room versions 1–2 only, whose PDUs list each prev and auth event with its reference hash: the hash of every
    /// event in <see cref="PrevEvents"/> and <see cref="AuthEvents"/>.
    /// </summary>
    public IReadOnlyDictionary<EventId, byte[]> ReferenceHashes { get; init; } = new Dictionary<EventId, byte[]>();

    public required long Depth { get; init; }

    public required long OriginServerTs { get; init; }

    /// <summary>For <c>m.room.redaction</c>: placed in <c>content</c> from room version 11, at the top level before.</summary>
    public EventId? Redacts { get; init; }

    /// <summary>
    /// The depth of a new event: one more than its deepest parent, held at 2^53 − 1 once the room is there
    /// (definition <c>depth_v6</c>). A create event, having no parents, gets 1.
    /// </summary>
    public static long NextDepth(IEnumerable<long> prevEventDepths) =>
        Math.Min(prevEventDepths.DefaultIfEmpty(0).Max() + 1, CanonicalJson.MaxSafeInteger);

    /// <summary>Assembles, hashes, signs and validates the event.</summary>
    /// <exception cref="ArgumentException">
    /// Room ID or <c>redacts</c> given where the version forbids it, or missing where required; a room version 1–2
    /// reference hash missing from <see cref="ReferenceHashes"/>.
    /// </exception>
    /// <exception cref="InvalidEventException">The event is malformed (e.g. content with floats, too many prev_events).</exception>
    /// <exception cref="EventTooLargeException">The signed event, or its type, state key, sender or room ID, is over a size limit.</exception>
    public Pdu Build(SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        JsonObject json = Assemble();
        try
        {
            EventSigner.Sign(json, RoomVersion, Sender.ServerName, key);
        }
        catch (CanonicalJsonException ex)
        {
            throw new InvalidEventException($"Event is not canonical JSON: {ex.Message}");
        }

        return Pdu.FromJson(json, RoomVersion);
    }

    private JsonObject Assemble()
    {
        var content = (JsonObject)Content.DeepClone();
        var json = new JsonObject
        {
            [PduKeys.Type] = Type,
            [PduKeys.Sender] = Sender.ToString(),
            [PduKeys.Content] = content,
            [PduKeys.PrevEvents] = References(PrevEvents),
            [PduKeys.AuthEvents] = References(AuthEvents),
            [PduKeys.Depth] = Depth,
            [PduKeys.OriginServerTs] = OriginServerTs,
        };

        if (RoomVersion.EventIdFormat == EventIdFormat.ServerGenerated)
        {
            json[PduKeys.EventId] = EventId.Create(
                UnpaddedBase64.EncodeUrlSafe(RandomNumberGenerator.GetBytes(MintedIdBytes)), Sender.ServerName).ToString();
        }

        bool roomIdFromCreateEvent = RoomVersion.RoomIdIsCreateEventId && Type == EventTypes.Create;
        if (roomIdFromCreateEvent != (RoomId is null))
        {
            throw new ArgumentException(roomIdFromCreateEvent
                ? $"A room version {RoomVersion.Id} create event has no room ID; its event ID defines the room."
                : "A room ID is required.");
        }

        if (RoomId is { } roomId)
        {
            json[PduKeys.RoomId] = roomId.ToString();
        }

        if (StateKey is not null)
        {
            json[PduKeys.StateKey] = StateKey;
        }

        if (Redacts is { } redacts)
        {
            if (Type != EventTypes.Redaction)
            {
                throw new ArgumentException($"Only {EventTypes.Redaction} events carry 'redacts'.");
            }

            (RoomVersion.RedactsInContent ? content : json)[PduKeys.Redacts] = redacts.ToString();
        }

        return json;
    }

    private JsonArray References(IReadOnlyList<EventId> ids) => new(ids.Select(id => RoomVersion.EventReferencesCarryHashes
        ? new JsonArray(id.ToString(), new JsonObject { [PduKeys.Sha256] = UnpaddedBase64.Encode(ReferenceHashOf(id)) })
        : (JsonNode)id.ToString()).ToArray());

    private byte[] ReferenceHashOf(EventId id) => ReferenceHashes.TryGetValue(id, out byte[]? hash)
        ? hash
        : throw new ArgumentException($"Room version {RoomVersion.Id} lists {id} with its reference hash, which was not given.");
}
