namespace Homeserver.Core.Rooms.Timeline;

/// <summary>A row of <c>events</c>: the PDU JSON plus the columns reads filter and order by.</summary>
public class EventRow
{
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
    public string Json { get; set; } = "";
    public long? StateGroupBefore { get; set; }
    public long? StateGroup { get; set; }
    public string? RedactedBy { get; set; }
}
