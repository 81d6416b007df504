namespace Homeserver.Core.Push.Delivery;

/// <summary>A row of <c>event_push_actions</c> waiting for a pusher.</summary>
public sealed class PendingPush
{
    public string RoomId { get; set; } = "";
    public string EventId { get; set; } = "";
    public long StreamOrdering { get; set; }
    /// <summary>The push rule's actions as a JSON array.</summary>
    public string Actions { get; set; } = "[]";
    public long Ts { get; set; }
}
