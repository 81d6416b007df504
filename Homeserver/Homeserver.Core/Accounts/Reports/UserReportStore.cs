using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts.Reports;

/// <summary>Reports of users (<c>user_reports</c>), kept for the server's moderators.</summary>
public sealed class UserReportStore(Database db)
{
    public sealed class Row
    {
        public long ReportId { get; set; }
        public string TargetUserId { get; set; } = "";
        public string Reporter { get; set; } = "";
        public string Reason { get; set; } = "";
        public long ReceivedTs { get; set; }
    }

    private const string Columns = "report_id AS ReportId, target_user_id AS TargetUserId, reporter AS Reporter, reason AS Reason, received_ts AS ReceivedTs";
    private const string Insert = "INSERT INTO user_reports (target_user_id, reporter, reason, received_ts) VALUES (@Target, @Reporter, @Reason, @Ts)";
    private const string Filter = """
        FROM user_reports WHERE (@Reporter IS NULL OR reporter LIKE @Reporter ESCAPE '\') AND (@Target IS NULL OR target_user_id LIKE @Target ESCAPE '\')
        """;
    private const string SelectOne = $"SELECT {Columns} FROM user_reports WHERE report_id = @ReportId";
    private const string DeleteOne = "DELETE FROM user_reports WHERE report_id = @ReportId";

    public Task AddAsync(string target, string reporter, string reason, long ts, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Insert, new { Target = target, Reporter = reporter, Reason = reason, Ts = ts }, ct, tx), ct);

    /// <summary>A page of reports filtered by parts of the reporter's and the reported user's IDs, and how many match.</summary>
    public Task<(IReadOnlyList<Row> Page, long Total)> PageAsync(string? reporter, string? target, bool newestFirst, int from, int limit, CancellationToken ct) =>
        db.ReadAsync(async c =>
        {
            var args = new
            {
                Reporter = reporter is null ? null : LikePattern.Contains(reporter),
                Target = target is null ? null : LikePattern.Contains(target),
                From = from,
                Limit = limit,
            };
            var dir = newestFirst ? "DESC" : "ASC";
            var page = await c.ListAsync<Row>($"SELECT {Columns} {Filter} ORDER BY received_ts {dir}, report_id {dir} LIMIT @Limit OFFSET @From", args, ct);
            return (page, await c.ScalarAsync<long>($"SELECT COUNT(*) {Filter}", args, ct));
        }, ct);

    public Task<Row?> GetAsync(long reportId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<Row>(SelectOne, new { ReportId = reportId }, ct), ct);

    public Task<bool> DeleteAsync(long reportId, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) => await c.RunAsync(DeleteOne, new { ReportId = reportId }, ct, tx) > 0, ct);
}
