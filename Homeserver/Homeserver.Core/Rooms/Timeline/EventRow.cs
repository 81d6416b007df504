using System.Text;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>A row of <c>events</c>: the PDU JSON plus the columns reads filter and order by.</summary>
public class EventRow
{
    private string? _json;
    private byte[]? _jsonUtf8;

    /// <summary>The event's position in the events stream; 0 for an outlier, which has none.</summary>
    public long StreamOrdering { get; set; }
    public string EventId { get; set; } = "";
    public string RoomId { get; set; } = "";
    public string EventType { get; set; } = "";
    public string? StateKey { get; set; }
    public string Sender { get; set; } = "";
    public long Depth { get; set; }
    public long OriginServerTs { get; set; }
    public string? Body { get; set; }
    public string? MediaUrl { get; set; }

    /// <summary>The stored PDU; a row read as <see cref="JsonUtf8"/> decodes it on first use.</summary>
    public string Json
    {
        get => _json ??= _jsonUtf8 is null ? "" : Encoding.UTF8.GetString(_jsonUtf8);
        set => (_json, _jsonUtf8) = (value, null);
    }

    /// <summary>
    /// The stored PDU as UTF-8, as the database holds it. Reads of many events to format (sync) take it so, sparing a
    /// decode to text and an encode back, and half the memory; a row read as text encodes it on first use.
    /// </summary>
    public byte[] JsonUtf8
    {
        get => _jsonUtf8 ??= Encoding.UTF8.GetBytes(_json ?? "");
        set => (_jsonUtf8, _json) = (value, null);
    }

    /// <summary>Bytes of the stored PDU, whichever form the row holds.</summary>
    public int StoredLength => _jsonUtf8?.Length ?? Encoding.UTF8.GetByteCount(_json ?? "");

    public long? StateGroupBefore { get; set; }
    public long? StateGroup { get; set; }
    public string? RedactedBy { get; set; }

    /// <summary>Stored as an event of its room but shown to no client: another server's redaction of another room's event.</summary>
    public bool Withheld { get; set; }
}
