using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Homeserver.Core.Encodings;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Identifiers;

/// <summary>
/// An event ID (spec appendices, "Event IDs"): <c>$opaque</c>, where from room version 3 the opaque
/// part is the event's reference hash and from version 4 it is URL-safe Base64; room versions 1
/// and 2 used server-minted <c>$opaque:server</c> IDs. Which shape a room accepts is the room
/// version's call (<c>RoomVersion.IsValidEventId</c>); this type only enforces the common grammar. It keeps its
/// text, so <see cref="ToString"/> costs nothing, and compares by it.
/// </summary>
[JsonConverter(typeof(IdentifierJsonConverter<EventId>))]
public readonly record struct EventId : IIdentifier<EventId>
{
    public const char Sigil = '$';

    private readonly string _text;

    private EventId(string opaque, string? serverName, string text)
    {
        Opaque = opaque;
        ServerName = serverName;
        _text = text;
    }

    /// <summary>The part after the sigil, without any server part.</summary>
    public string Opaque { get; }

    /// <summary>The server part of a room version 1–2 event ID; null for hash-based IDs.</summary>
    public string? ServerName { get; }

    /// <summary>The ID of an event whose reference hash is <paramref name="sha256"/> (room version 4 onwards).</summary>
    public static EventId FromReferenceHash(ReadOnlySpan<byte> sha256)
    {
        var opaque = UnpaddedBase64.EncodeUrlSafe(sha256);
        return new EventId(opaque, null, $"{Sigil}{opaque}");
    }

    /// <summary>A room version 1–2 event ID, <c>$opaque:server</c>, minted by <paramref name="serverName"/>.</summary>
    /// <exception cref="ArgumentException">The parts do not form a valid event ID.</exception>
    public static EventId Create(string opaque, string serverName) =>
        TryParse($"{Sigil}{opaque}:{serverName}", out EventId? id)
            ? id.Value
            : throw new ArgumentException($"'{opaque}' on '{serverName}' does not form a valid event ID.", nameof(opaque));

    public static bool TryParse(string? value, [NotNullWhen(true)] out EventId? id)
    {
        id = IdentifierText.TryParseHashOrServer(value, Sigil, out string opaque, out string? serverName)
            ? new EventId(opaque, serverName, value!)
            : null;
        return id is not null;
    }

    /// <exception cref="MatrixException">400 <c>M_INVALID_PARAM</c>: not an event ID.</exception>
    public static EventId Parse(string? value) =>
        TryParse(value, out EventId? id) ? id.Value : throw MatrixException.InvalidParam($"'{value}' is not a valid event ID");

    public override string ToString() => _text ?? "";

    public bool Equals(EventId other) => string.Equals(_text, other._text, StringComparison.Ordinal);

    public override int GetHashCode() => _text?.GetHashCode(StringComparison.Ordinal) ?? 0;
}
