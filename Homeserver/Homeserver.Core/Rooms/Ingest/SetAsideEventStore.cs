using Homeserver.Core.Events;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>Why an event is held outside the timeline and the state.</summary>
public enum SetAside
{
    /// <summary>
    /// An event from another server that the authorisation rules refused (spec "Rejection"). Its ID is remembered: an
    /// event that names it as an auth event is rejected in turn, and the same event arriving again is answered
    /// without being checked again.
    /// </summary>
    Rejected,

    /// <summary>
    /// Passed its own checks but not the room's current state (spec "Soft failure"): kept for the DAG and for an
    /// operator to look at, so no read serves it and no new event builds on it.
    /// </summary>
    SoftFailed,
}

/// <summary>
/// Events set aside by <see cref="EventIngest"/>, one table per <see cref="SetAside"/> kind with the event, its room
/// and the reason, and which of a batch of events were handled before, stored or set aside.
/// </summary>
public sealed class SetAsideEventStore(Database db)
{
    /// <summary>What became of an event that was handled before: stored (no reason), or set aside and why.</summary>
    public sealed record Verdict(SetAside? Kind, string? Reason);

    private sealed class Row
    {
        public string EventId { get; set; } = "";
        public long Kind { get; set; }
        public string? Reason { get; set; }
    }

    private sealed class JsonRow
    {
        public string EventId { get; set; } = "";
        public string Json { get; set; } = "";
    }

    private const int Stored = -1;

    private static string Table(SetAside kind) => kind == SetAside.Rejected ? "rejected_events" : "soft_failed_events";

    public Task InsertAsync(SetAside kind, Pdu pdu, string reason, long ts, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync($"""
            INSERT INTO {Table(kind)} (event_id, room_id, reason, json, received_ts) VALUES (@EventId, @RoomId, @Reason, @Json, @Ts)
            ON CONFLICT (event_id) DO NOTHING
            """, new
        {
            EventId = pdu.EventId.ToString(), RoomId = pdu.RoomId.ToString(), Reason = reason, Json = pdu.Json.ToJsonString(), Ts = ts,
        }, ct, tx), ct);

    /// <summary>Why the event was set aside as <paramref name="kind"/>; null when it was not.</summary>
    public Task<string?> ReasonAsync(SetAside kind, string eventId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>($"SELECT reason FROM {Table(kind)} WHERE event_id = @EventId", new { EventId = eventId }, ct), ct);

    /// <summary>The rejected events among <paramref name="eventIds"/>, each as received, by ID.</summary>
    public async Task<IReadOnlyDictionary<string, string>> RejectedJsonAsync(IReadOnlyCollection<string> eventIds, CancellationToken ct)
    {
        if (eventIds.Count == 0)
            return new Dictionary<string, string>();
        var rows = await db.ReadAsync(c => c.ListAsync<JsonRow>(
            $"SELECT event_id, json FROM rejected_events WHERE {db.Dialect.InLongList("event_id", "Ids")}",
            new { Ids = db.Dialect.ListParameter(eventIds) }, ct), ct);
        return rows.ToDictionary(r => r.EventId, r => r.Json);
    }

    /// <summary>
    /// The events of <paramref name="eventIds"/> handled before, in one statement: in the timeline, or set aside.
    /// Outliers are not among them: an event held as one may still enter the timeline.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Verdict>> VerdictsAsync(IReadOnlyCollection<string> eventIds, CancellationToken ct)
    {
        if (eventIds.Count == 0)
            return new Dictionary<string, Verdict>();
        var sql = $"""
            SELECT event_id, {Stored} AS kind, NULL AS reason FROM events WHERE {db.Dialect.InLongList("event_id", "Ids")}
            UNION ALL SELECT event_id, {(int)SetAside.SoftFailed}, reason FROM soft_failed_events WHERE {db.Dialect.InLongList("event_id", "Ids")}
            UNION ALL SELECT event_id, {(int)SetAside.Rejected}, reason FROM rejected_events WHERE {db.Dialect.InLongList("event_id", "Ids")}
            """;
        var rows = await db.ReadAsync(c => c.ListAsync<Row>(sql, new { Ids = db.Dialect.ListParameter(eventIds) }, ct), ct);
        var verdicts = new Dictionary<string, Verdict>();
        // An event stored in the timeline counts as stored, whatever else was recorded of it.
        foreach (var row in rows.OrderBy(r => r.Kind))
            verdicts.TryAdd(row.EventId, new Verdict(row.Kind == Stored ? null : (SetAside)row.Kind, row.Reason));
        return verdicts;
    }
}
