using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Rooms.Purge;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Rooms.Retention;

/// <summary>
/// One of the retention purge jobs: for each room whose policy's <c>max_lifetime</c> lies in the job's range
/// (longer than <c>shortest_max_lifetime</c>, at most <c>longest_max_lifetime</c>), purges the events sent longer
/// ago than that, local users' events included, as Synapse's jobs do. The purge keeps the room's newest event and
/// its state.
/// </summary>
public sealed class RetentionPurgeJob(RetentionPurgeJobOptions job, RetentionOptions options, RoomRetentionStore rooms, HistoryPurgeService purge,
    TimeProvider time, ILogger<RetentionPurgeJob> log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var purged = 0;
        foreach (var room in await rooms.AllAsync(ct))
        {
            var content = room.Json is null ? null : JsonNode.Parse(room.Json)?["content"] as JsonObject;
            if (RetentionPolicy.For(content, options).MaxLifetime is not { } max || !InRange(max))
                continue;
            if (await purge.PurgeBeforeAsync(room.RoomId, (now - max).ToUnixTimeMilliseconds(), deleteLocal: true, ct) > 0)
                purged++;
        }
        log.LogInformation("Retention job ({Shortest} < max_lifetime <= {Longest}) purged expired events in {Rooms} rooms",
            job.ShortestMaxLifetime?.ToString() ?? "0", job.LongestMaxLifetime?.ToString() ?? "any", purged);
    }

    private bool InRange(TimeSpan max) =>
        (job.ShortestMaxLifetime is not { } shortest || max > shortest.Value) && (job.LongestMaxLifetime is not { } longest || max <= longest.Value);
}
