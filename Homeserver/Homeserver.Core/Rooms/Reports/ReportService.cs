using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Visibility;

namespace Homeserver.Core.Rooms.Reports;

/// <summary>
/// <c>/rooms/{roomId}/report[/{eventId}]</c>. An event may be reported only by a joined member who can see
/// it (spec v1.8); every refusal is the same 404, so a report cannot probe for events or rooms the reporter
/// may not know about. A room may be reported by anyone (spec v1.13).
/// </summary>
public sealed class ReportService(RoomReadService reads, RoomStore rooms, RoomEventGuard guard, EventReportStore reports, TimeProvider time)
{
    public const string EventNotFound = "The event was not found or you are not joined to the room";

    public async Task ReportEventAsync(UserId reporter, RoomId roomId, EventId eventId, string? reason, long? score, CancellationToken ct)
    {
        if (await rooms.GetAsync(roomId.ToString(), ct) is null || !await reads.IsJoinedAsync(roomId, reporter, ct))
            throw MatrixException.NotFound(EventNotFound);
        await guard.VisibleAsync(reporter, roomId, await reads.VersionOfAsync(roomId, ct), eventId, ct, EventNotFound);
        await reports.AddAsync(roomId.ToString(), eventId.ToString(), reporter.ToString(), reason, score, Now(), ct);
    }

    public async Task ReportRoomAsync(UserId reporter, RoomId roomId, string reason, CancellationToken ct)
    {
        if (await rooms.GetAsync(roomId.ToString(), ct) is null)
            throw MatrixException.NotFound("The room was not found");
        await reports.AddAsync(roomId.ToString(), null, reporter.ToString(), reason, null, Now(), ct);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
