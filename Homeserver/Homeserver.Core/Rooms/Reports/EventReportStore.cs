using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Reports;

/// <summary>Reports of inappropriate content, kept for the server's moderators.</summary>
public sealed class EventReportStore(Database db)
{
    /// <summary>An event report as the admin API lists it: with the reported event's sender and PDU when we still hold it.</summary>
    public sealed class AdminRow
    {
        public long ReportId { get; set; }
        public string RoomId { get; set; } = "";
        public string EventId { get; set; } = "";
        public string Reporter { get; set; } = "";
        public string? Reason { get; set; }
        public long? Score { get; set; }
        public long ReceivedTs { get; set; }
        public string? Sender { get; set; }
        public string? EventJson { get; set; }
    }

    private const string Insert = """
        INSERT INTO event_reports (room_id, event_id, reporter, reason, score, received_ts)
        VALUES (@RoomId, @EventId, @Reporter, @Reason, @Score, @ReceivedTs)
        """;
    private const string SelectForRoom = """
        SELECT report_id AS ReportId, room_id AS RoomId, event_id AS EventId, reporter AS Reporter, reason AS Reason, score AS Score, received_ts AS ReceivedTs
        FROM event_reports WHERE room_id = @RoomId ORDER BY report_id
        """;
    // Reports of whole rooms (event_id NULL) are not event reports, as Synapse keeps them apart.
    private const string AdminFrom = """
        FROM event_reports r LEFT JOIN events e ON e.event_id = r.event_id
        WHERE r.event_id IS NOT NULL
          AND (@Reporter IS NULL OR r.reporter LIKE @Reporter ESCAPE '\')
          AND (@RoomId IS NULL OR r.room_id LIKE @RoomId ESCAPE '\')
          AND (@Sender IS NULL OR e.sender = @Sender)
        """;
    private const string AdminColumns = """
        r.report_id AS ReportId, r.room_id AS RoomId, r.event_id AS EventId, r.reporter AS Reporter, r.reason AS Reason, r.score AS Score,
        r.received_ts AS ReceivedTs, e.sender AS Sender, e.json AS EventJson
        """;
    private const string SelectAdminOne = $"SELECT {AdminColumns} FROM event_reports r LEFT JOIN events e ON e.event_id = r.event_id WHERE r.report_id = @ReportId AND r.event_id IS NOT NULL";
    private const string DeleteOne = "DELETE FROM event_reports WHERE report_id = @ReportId AND event_id IS NOT NULL";

    public Task AddAsync(string roomId, string? eventId, string reporter, string? reason, long? score, long receivedTs, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Insert, new { RoomId = roomId, EventId = eventId, Reporter = reporter, Reason = reason, Score = score, ReceivedTs = receivedTs }, ct, tx), ct);

    /// <summary>The reports about a room and its events, oldest first.</summary>
    public Task<IReadOnlyList<EventReport>> ForRoomAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<EventReport>(SelectForRoom, new { RoomId = roomId }, ct), ct);

    /// <summary>
    /// A page of event reports, newest first when <paramref name="newestFirst"/>, filtered by reporter and room (substrings)
    /// and by the reported event's sender; and how many match.
    /// </summary>
    public Task<(IReadOnlyList<AdminRow> Page, long Total)> PageAsync(string? reporter, string? roomId, string? sender, bool newestFirst, int from, int limit,
        CancellationToken ct) =>
        db.ReadAsync(async c =>
        {
            var args = new
            {
                Reporter = reporter is null ? null : LikePattern.Contains(reporter),
                RoomId = roomId is null ? null : LikePattern.Contains(roomId),
                Sender = sender,
                From = from,
                Limit = limit,
            };
            var dir = newestFirst ? "DESC" : "ASC";
            var page = await c.ListAsync<AdminRow>($"SELECT {AdminColumns} {AdminFrom} ORDER BY r.received_ts {dir}, r.report_id {dir} LIMIT @Limit OFFSET @From", args, ct);
            return (page, await c.ScalarAsync<long>($"SELECT COUNT(*) {AdminFrom}", args, ct));
        }, ct);

    public Task<AdminRow?> GetAsync(long reportId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<AdminRow>(SelectAdminOne, new { ReportId = reportId }, ct), ct);

    public Task<bool> DeleteAsync(long reportId, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) => await c.RunAsync(DeleteOne, new { ReportId = reportId }, ct, tx) > 0, ct);
}
