using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;

namespace Homeserver.Core.Events;

/// <summary>
/// Checks a PDU against its room version's event format (server-server definitions <c>pdu_v1</c>, <c>pdu_v3</c>,
/// <c>pdu_v4</c>, <c>pdu_v6</c>, <c>pdu_v11</c>, <c>pdu_v12</c>) and the size limits (client-server API, "Size limits"). It checks
/// shape only; whether the event is allowed is for the authorisation rules.
/// </summary>
public static class PduValidator
{
    /// <summary>The whole event, signatures included, as canonical JSON.</summary>
    public const int MaxPduBytes = 65_536;

    /// <summary>The limit on <c>type</c> and <c>state_key</c>; IDs have the same 255-byte limit.</summary>
    public const int MaxKeyBytes = 255;

    // From the auth_events/prev_events schema ("auth_events_prev_events_v4").
    public const int MaxAuthEvents = 10;
    public const int MaxPrevEvents = 20;

    /// <exception cref="InvalidEventException">The event is malformed for <paramref name="version"/>.</exception>
    /// <exception cref="EventTooLargeException">The event or one of its keys is over a size limit.</exception>
    public static void Validate(JsonObject pdu, RoomVersion version)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(version);

        // Canonical encoding first: it rejects floats, out-of-range integers and invalid Unicode,
        // which also guarantees every string below has a UTF-8 length to measure.
        int size;
        try
        {
            size = CanonicalJson.Encode(pdu).Length;
        }
        catch (CanonicalJsonException ex)
        {
            throw new InvalidEventException($"Event is not canonical JSON: {ex.Message}");
        }

        if (size > MaxPduBytes)
        {
            throw new EventTooLargeException(EventSizeLimit.Event, size, MaxPduBytes);
        }

        var reader = new PduReader(pdu);
        string type = reader.RequiredString(PduKeys.Type, EventSizeLimit.Type);
        reader.OptionalString(PduKeys.StateKey, EventSizeLimit.StateKey);
        string sender = reader.RequiredString(PduKeys.Sender, EventSizeLimit.Sender);
        if (!UserId.TryParse(sender, out _))
        {
            throw new InvalidEventException($"'sender' is not a user ID: '{sender}'");
        }

        ValidateRoomId(reader, type, version);
        // Room versions 1 and 2 carry the ID their origin minted; later versions derive it from the hash instead.
        string? eventId = version.EventIdFormat == EventIdFormat.ServerGenerated
            ? reader.RequiredString(PduKeys.EventId, EventSizeLimit.EventId)
            : reader.OptionalString(PduKeys.EventId, EventSizeLimit.EventId);
        if (eventId is not null && !(EventId.TryParse(eventId, out EventId? parsedId)
            && (version.EventIdFormat != EventIdFormat.ServerGenerated || version.IsValidEventId(parsedId.Value))))
        {
            throw new InvalidEventException($"'event_id' is not a room version {version.Id} event ID: '{eventId}'");
        }

        reader.RequiredInteger(PduKeys.OriginServerTs, min: long.MinValue);
        // depth_v6: at most 2^53 − 1 (canonical JSON's ceiling), and depths count up from the create event.
        reader.RequiredInteger(PduKeys.Depth, min: 0);
        reader.RequiredObject(PduKeys.Content);
        reader.RequiredEventIds(PduKeys.PrevEvents, MaxPrevEvents, version);
        reader.RequiredEventIds(PduKeys.AuthEvents, MaxAuthEvents, version);
        reader.RequiredContentHash();
        reader.RequiredSignatures();
        if (pdu.ContainsKey(PduKeys.Unsigned))
        {
            reader.RequiredObject(PduKeys.Unsigned);
        }

        if (type == EventTypes.Redaction)
        {
            reader.OptionalRedacts(version);
        }
    }

    private static void ValidateRoomId(PduReader reader, string type, RoomVersion version)
    {
        // Room version 12, auth rule 1.2: the create event has no room_id; its event ID defines the room.
        if (version.RoomIdIsCreateEventId && type == EventTypes.Create)
        {
            if (reader.Pdu.ContainsKey(PduKeys.RoomId))
            {
                throw new InvalidEventException($"An m.room.create event in room version {version.Id} must not have 'room_id'");
            }

            return;
        }

        string roomId = reader.RequiredString(PduKeys.RoomId, EventSizeLimit.RoomId);
        if (!RoomId.TryParse(roomId, out RoomId? parsed) || !version.IsValidRoomId(parsed.Value))
        {
            throw new InvalidEventException($"'room_id' is not a room ID for room version {version.Id}: '{roomId}'");
        }
    }
}
