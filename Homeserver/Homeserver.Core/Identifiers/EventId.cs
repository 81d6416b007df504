using System.Diagnostics.CodeAnalysis;
using Homeserver.Core.Encodings;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Identifiers;

/// <summary>
/// An event ID (spec appendices, "Event IDs"): <c>$opaque</c>, where from room version 3 the opaque
/// part is the event's reference hash and from version 4 it is URL-safe Base64; room versions 1
/// and 2 used server-minted <c>$opaque:server</c> IDs. Which shape a room accepts is the room
/// version's call (<c>RoomVersion.IsValidEventId</c>); this type only enforces the common grammar.
/// </summary>
public readonly record struct EventId
{
    public const char Sigil = '$';

    private EventId(string opaque, string? serverName)
    {
        Opaque = opaque;
        ServerName = serverName;
    }

    /// <summary>The part after the sigil, without any server part.</summary>
    public string Opaque { get; }

    /// <summary>The server part of a room version 1–2 event ID; null for hash-based IDs.</summary>
    public string? ServerName { get; }

    /// <summary>The ID of an event whose reference hash is <paramref name="sha256"/> (room version 4 onwards).</summary>
    public static EventId FromReferenceHash(ReadOnlySpan<byte> sha256) => new(UnpaddedBase64.EncodeUrlSafe(sha256), null);

    public static bool TryParse(string? value, [NotNullWhen(true)] out EventId? eventId)
    {
        eventId = IdentifierText.TryParseHashOrServer(value, Sigil, out string opaque, out string? serverName)
            ? new EventId(opaque, serverName)
            : null;
        return eventId is not null;
    }

    /// <exception cref="MatrixException">400 <c>M_INVALID_PARAM</c>: not an event ID.</exception>
    public static EventId Parse(string? value) =>
        TryParse(value, out EventId? id) ? id.Value : throw MatrixException.InvalidParam($"'{value}' is not a valid event ID");

    public override string ToString() => ServerName is null ? $"{Sigil}{Opaque}" : $"{Sigil}{Opaque}:{ServerName}";
}
