using System.Collections.ObjectModel;
using System.Diagnostics;

namespace Homeserver.IntegrationTests.Observability;

/// <summary>
/// What OpenTelemetry's in-memory exporter records, safe to read while requests still end: the exporter adds from the
/// threads that finish activities.
/// </summary>
internal sealed class RecordedActivities : Collection<Activity>
{
    private readonly Lock _lock = new();

    protected override void InsertItem(int index, Activity item)
    {
        lock (_lock)
            base.InsertItem(index, item);
    }

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (_lock)
            return [.. this];
    }

    /// <summary>Waits until an activity matching <paramref name="match"/> has been recorded, and returns it.</summary>
    public async Task<Activity> WaitForAsync(Func<Activity, bool> match, string what)
    {
        for (var i = 0; i < 100; i++)
        {
            if (Snapshot().FirstOrDefault(match) is { } found)
                return found;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no activity recorded for {what}; recorded: {string.Join(", ", Snapshot().Select(a => a.DisplayName))}");
    }
}
