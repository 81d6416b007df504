using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts.Reports;

/// <summary>
/// Reports of users (spec v1.14 <c>POST /users/{userId}/report</c>) and Synapse's admin API over them. An unknown
/// local user is a 404, as the spec allows; another server's users are taken on trust, as we cannot tell.
/// </summary>
public sealed class UserReportService(UserReportStore store, UserStore users, ServerIdentity server, TimeProvider time)
{
    public const int MaxReasonLength = 1000;

    public sealed record Report(long Id, long ReceivedTs, string TargetUserId, string Reporter, string Reason);

    public sealed record Page(IReadOnlyList<Report> Reports, long Total);

    public async Task ReportAsync(UserId reporter, UserId target, string reason, CancellationToken ct)
    {
        if (reason.Length > MaxReasonLength)
            throw MatrixException.InvalidParam($"Reason must be at most {MaxReasonLength} characters");
        if (target.ServerName == server.ServerName && !await users.ExistsAsync(target.ToString(), ct))
            throw MatrixException.NotFound("The user was not found.");
        await store.AddAsync(target.ToString(), reporter.ToString(), reason, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
    }

    public async Task<Page> ListAsync(string? reporter, string? target, bool newestFirst, int from, int limit, CancellationToken ct)
    {
        var (rows, total) = await store.PageAsync(reporter, target, newestFirst, from, limit, ct);
        return new Page(rows.Select(ToReport).ToList(), total);
    }

    public async Task<Report> GetAsync(long id, CancellationToken ct) =>
        ToReport(await store.GetAsync(id, ct) ?? throw NotFound());

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        if (!await store.DeleteAsync(id, ct))
            throw NotFound();
    }

    private static MatrixException NotFound() => MatrixException.NotFound("User report not found");

    private static Report ToReport(UserReportStore.Row r) => new(r.ReportId, r.ReceivedTs, r.TargetUserId, r.Reporter, r.Reason);
}
