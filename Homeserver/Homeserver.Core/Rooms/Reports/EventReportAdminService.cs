using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Rooms.Admin;

namespace Homeserver.Core.Rooms.Reports;

/// <summary>Synapse's event reports admin API: the reports users filed, with the reported event and its room's name.</summary>
public sealed class EventReportAdminService(EventReportStore reports, RoomSummaryReader rooms)
{
    /// <param name="EventJson">The reported event's PDU, null once the event is gone (its room purged).</param>
    public sealed record Report(long Id, long ReceivedTs, string RoomId, string? RoomName, string? CanonicalAlias, string EventId, string Reporter,
        string? Reason, long? Score, string? Sender, JsonNode? EventJson);

    public sealed record Page(IReadOnlyList<Report> Reports, long Total);

    public async Task<Page> ListAsync(string? reporter, string? roomId, string? eventSender, bool newestFirst, int from, int limit, CancellationToken ct)
    {
        var (rows, total) = await reports.PageAsync(reporter, roomId, eventSender, newestFirst, from, limit, ct);
        var list = new List<Report>();
        foreach (var row in rows)
            list.Add(await ToReportAsync(row, ct));
        return new Page(list, total);
    }

    public async Task<Report> GetAsync(long id, CancellationToken ct) =>
        await ToReportAsync(await reports.GetAsync(id, ct) ?? throw NotFound(), ct);

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        if (!await reports.DeleteAsync(id, ct))
            throw NotFound();
    }

    private static MatrixException NotFound() => MatrixException.NotFound("Event report not found");

    private async Task<Report> ToReportAsync(EventReportStore.AdminRow row, CancellationToken ct)
    {
        var room = await rooms.OneAsync(row.RoomId, ct);
        return new Report(row.ReportId, row.ReceivedTs, row.RoomId, room?.Name, room?.CanonicalAlias, row.EventId, row.Reporter, row.Reason, row.Score,
            row.Sender, row.EventJson is null ? null : JsonNode.Parse(row.EventJson));
    }
}
