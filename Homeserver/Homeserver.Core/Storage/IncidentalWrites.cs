using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Storage;

/// <summary>
/// Writes a read makes on the side (a device's last-seen time, presence on sync, dropping confirmed to-device
/// messages): when the database refuses them (a full disk), the read is still answered. Each kind of failure is
/// logged once per interval with how many went unreported, not once per request.
/// </summary>
public sealed class IncidentalWrites(TimeProvider time, ILogger<IncidentalWrites> log)
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    private sealed class Report
    {
        public DateTimeOffset Last = DateTimeOffset.MinValue;
        public int Unreported;
    }

    private readonly ConcurrentDictionary<string, Report> _reports = new();

    /// <summary>Runs <paramref name="write"/>; a database failure is logged as <paramref name="what"/> and swallowed.</summary>
    public async Task TryAsync(string what, Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (DbException e)
        {
            Failed(what, e);
        }
    }

    private void Failed(string what, DbException e)
    {
        var report = _reports.GetOrAdd(what, _ => new Report());
        int unreported;
        lock (report)
        {
            var now = time.GetUtcNow();
            if (now - report.Last < LogInterval)
            {
                report.Unreported++;
                return;
            }
            report.Last = now;
            unreported = report.Unreported;
            report.Unreported = 0;
        }
        log.LogWarning(e, "Could not record {What}; requests are answered without it ({Unreported} more failures since the last report)", what, unreported);
    }
}
