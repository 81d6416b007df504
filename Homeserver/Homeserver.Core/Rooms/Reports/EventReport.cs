namespace Homeserver.Core.Rooms.Reports;

/// <summary>A row of <c>event_reports</c>: a user's report of an event, or of a whole room when <see cref="EventId"/> is null.</summary>
public sealed record EventReport(long ReportId, string RoomId, string? EventId, string Reporter, string? Reason, long? Score, long ReceivedTs);
