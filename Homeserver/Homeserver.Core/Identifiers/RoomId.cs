using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Identifiers;

/// <summary>
/// A room ID (spec appendices, "Room IDs"). Up to room version 11 it is <c>!opaque:server</c>,
/// minted by the creating server; from room version 12 it is the create event's ID with <c>!</c>
/// in place of <c>$</c> and has no server part. Whether a given room accepts a given shape is
/// the room version's call (<c>RoomVersion.IsValidRoomId</c>). It keeps its text, so <see cref="ToString"/>
/// costs nothing, and compares by it.
/// </summary>
[JsonConverter(typeof(IdentifierJsonConverter<RoomId>))]
public readonly record struct RoomId : IIdentifier<RoomId>
{
    public const char Sigil = '!';

    private readonly string _text;

    private RoomId(string opaque, string? serverName, string text)
    {
        Opaque = opaque;
        ServerName = serverName;
        _text = text;
    }

    /// <summary>The part after the sigil, without any server part.</summary>
    public string Opaque { get; }

    /// <summary>The creating server (room versions 1–11); null for create-event-hash IDs (v12+).</summary>
    public string? ServerName { get; }

    /// <summary>A room version 1–11 room ID.</summary>
    /// <exception cref="ArgumentException">The parts do not form a valid room ID.</exception>
    public static RoomId Create(string opaque, string serverName) =>
        TryParse($"{Sigil}{opaque}:{serverName}", out RoomId? id)
            ? id.Value
            : throw new ArgumentException($"'{opaque}' on '{serverName}' does not form a valid room ID.", nameof(opaque));

    /// <summary>The room ID a room version 12 create event defines: its event ID with <c>!</c> as the sigil.</summary>
    /// <exception cref="ArgumentException">The event ID has a server part, so it is not a reference hash.</exception>
    public static RoomId FromCreateEventId(EventId createEventId) =>
        createEventId.ServerName is null && createEventId.Opaque is not null
            ? new RoomId(createEventId.Opaque, null, $"{Sigil}{createEventId.Opaque}")
            : throw new ArgumentException($"'{createEventId}' is not a hash-based event ID.", nameof(createEventId));

    public static bool TryParse(string? value, [NotNullWhen(true)] out RoomId? id)
    {
        id = IdentifierText.TryParseHashOrServer(value, Sigil, out string opaque, out string? serverName)
            ? new RoomId(opaque, serverName, value!)
            : null;
        return id is not null;
    }

    /// <exception cref="MatrixException">400 <c>M_INVALID_PARAM</c>: not a room ID.</exception>
    public static RoomId Parse(string? value) =>
        TryParse(value, out RoomId? id) ? id.Value : throw MatrixException.InvalidParam($"'{value}' is not a valid room ID");

    public override string ToString() => _text ?? "";

    public bool Equals(RoomId other) => string.Equals(_text, other._text, StringComparison.Ordinal);

    public override int GetHashCode() => _text?.GetHashCode(StringComparison.Ordinal) ?? 0;
}
