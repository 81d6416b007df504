using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Push;

/// <summary>
/// Rows of <c>event_push_actions</c>: for each recipient an event notifies or highlights, what the rules decided.
/// They are written with the event, so they double as the durable queue push delivery works through.
/// </summary>
public sealed class PushActionsStore(Database db)
{
    /// <summary>'main' marks events outside any thread, as in threaded receipts.</summary>
    public const string MainThread = "main";

    private const string Insert = """
        INSERT INTO event_push_actions (user_id, room_id, event_id, stream_ordering, thread_id, notif, highlight, actions, ts)
        VALUES (@UserId, @RoomId, @EventId, @StreamOrdering, @ThreadId, @Notif, @Highlight, @Actions, @Ts)
        """;
    private const string SelectPage = """
        SELECT room_id, event_id, stream_ordering, thread_id, actions, ts FROM event_push_actions
        WHERE user_id = @UserId AND stream_ordering < @Before AND (@OnlyHighlight = 0 OR highlight = 1)
        ORDER BY stream_ordering DESC LIMIT @Limit
        """;

    /// <summary>What evaluation decided for one recipient of an event, before the event has its stream position.</summary>
    public sealed record Decision(string UserId, string ThreadId, bool Notify, bool Highlight, string ActionsJson);

    /// <summary>A notification as <c>/notifications</c> lists it.</summary>
    public sealed class Row
    {
        public string RoomId { get; set; } = "";
        public string EventId { get; set; } = "";
        public long StreamOrdering { get; set; }
        public string ThreadId { get; set; } = "";
        public string Actions { get; set; } = "";
        public long Ts { get; set; }
    }

    public static async Task InsertAsync(DbConnection c, DbTransaction tx, string roomId, string eventId, long streamOrdering,
        IReadOnlyList<Decision> decisions, long ts, CancellationToken ct)
    {
        foreach (var d in decisions)
            await c.RunAsync(Insert, new
            {
                d.UserId, RoomId = roomId, EventId = eventId, StreamOrdering = streamOrdering, d.ThreadId,
                Notif = d.Notify ? 1L : 0L, Highlight = d.Highlight ? 1L : 0L, Actions = d.ActionsJson, Ts = ts,
            }, ct, tx);
    }

    /// <summary>The user's notifications before a stream position, newest first.</summary>
    public Task<IReadOnlyList<Row>> PageAsync(string userId, long before, bool onlyHighlight, int limit, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<Row>(SelectPage, new { UserId = userId, Before = before, OnlyHighlight = onlyHighlight ? 1L : 0L, Limit = limit }, ct), ct);
}
