using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// The last two tie-breaks of both v2 orderings: the smaller <c>origin_server_ts</c> first, then the smaller event
/// ID, compared ordinally, so the order is total and every server sorts alike.
/// </summary>
public static class EventTiebreak
{
    public static int ByTimestampThenId(Pdu x, Pdu y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int byTime = x.OriginServerTs.CompareTo(y.OriginServerTs);
        return byTime != 0 ? byTime : string.CompareOrdinal(x.EventId.ToString(), y.EventId.ToString());
    }
}
