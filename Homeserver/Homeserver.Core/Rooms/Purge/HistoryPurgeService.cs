using System.Collections.Concurrent;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Timeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using EventId = Homeserver.Core.Identifiers.EventId;

namespace Homeserver.Core.Rooms.Purge;

/// <summary>
/// Synapse's history purge: a room's events before an event or a time leave its timeline and, but for state (and
/// local users' events unless asked), the database. The admin call starts it in the background and answers a purge
/// ID whose status is kept in this process for a day, as Synapse keeps it; the retention job purges directly.
/// </summary>
public sealed class HistoryPurgeService(HistoryPurgeStore store, RoomStore rooms, EventStore events, ServerIdentity server,
    IHostApplicationLifetime lifetime, TimeProvider time, ILogger<HistoryPurgeService> log)
{
    private static readonly TimeSpan StatusKept = TimeSpan.FromDays(1);
    private readonly ConcurrentDictionary<string, (PurgeStatus Status, DateTimeOffset At)> _purges = new();
    private readonly ConcurrentDictionary<string, byte> _roomsInPurge = new();

    /// <summary>Checks the request and starts the purge; its ID, for <see cref="Status"/>.</summary>
    public async Task<string> StartAsync(RoomId roomId, EventId? upToEvent, long? upToTs, bool deleteLocal, CancellationToken ct)
    {
        if (await rooms.GetAsync(roomId.ToString(), ct) is null)
            throw MatrixException.NotFound("Unknown room");
        long upTo;
        if (upToEvent is { } eventId)
        {
            var row = await events.GetAsync(eventId.ToString(), ct) ?? throw MatrixException.NotFound("Event not found");
            if (row.RoomId != roomId.ToString())
                throw MatrixException.InvalidParam("Event is for wrong room.");
            upTo = row.StreamOrdering;
        }
        else if (upToTs is { } ts)
            upTo = await UpToAsync(roomId.ToString(), ts, ct);
        else
            throw new MatrixException(400, ErrorCodes.MissingParam, "must specify purge_up_to_event_id or purge_up_to_ts");
        if (!_roomsInPurge.TryAdd(roomId.ToString(), 0))
            throw MatrixException.InvalidParam("History purge already in progress for " + roomId);
        var purgeId = SecureTokens.Alphanumeric(16);
        Record(purgeId, new PurgeStatus(roomId.ToString(), PurgeStatus.Active));
        _ = Task.Run(() => RunAsync(purgeId, roomId.ToString(), upTo, deleteLocal), CancellationToken.None);
        return purgeId;
    }

    /// <summary>The purge's status; 404 for an unknown (or more than a day old) purge ID.</summary>
    public PurgeStatus Status(string purgeId) =>
        _purges.TryGetValue(purgeId, out var entry) ? entry.Status : throw MatrixException.NotFound("purge id '" + purgeId + "' not found");

    /// <summary>Purges the room's events sent before <paramref name="ts"/> now; how many were deleted.</summary>
    public async Task<int> PurgeBeforeAsync(string roomId, long ts, bool deleteLocal, CancellationToken ct) =>
        await PurgeAsync(roomId, await UpToAsync(roomId, ts, ct), deleteLocal, ct);

    private async Task<int> PurgeAsync(string roomId, long upTo, bool deleteLocal, CancellationToken ct)
    {
        var deleted = await store.PurgeAsync(roomId, upTo, deleteLocal, server.ServerName, ct);
        if (deleted > 0)
            log.LogInformation("Purged history of {RoomId} before stream position {UpTo}: {Deleted} events deleted (local events too: {DeleteLocal})",
                roomId, upTo, deleted, deleteLocal);
        return deleted;
    }

    // Up to the room's first event sent at or after the time; when none was, up to its newest (which is kept).
    private async Task<long> UpToAsync(string roomId, long ts, CancellationToken ct) =>
        await store.FirstAtOrAfterAsync(roomId, ts, ct) ?? long.MaxValue;

    private async Task RunAsync(string purgeId, string roomId, long upTo, bool deleteLocal)
    {
        try
        {
            await PurgeAsync(roomId, upTo, deleteLocal, lifetime.ApplicationStopping);
            Record(purgeId, new PurgeStatus(roomId, PurgeStatus.Complete));
        }
        catch (Exception e)
        {
            log.LogError(e, "History purge {PurgeId} of {RoomId} failed", purgeId, roomId);
            Record(purgeId, new PurgeStatus(roomId, PurgeStatus.Failed, e.Message));
        }
        finally
        {
            _roomsInPurge.TryRemove(roomId, out _);
        }
    }

    private void Record(string purgeId, PurgeStatus status)
    {
        var now = time.GetUtcNow();
        _purges[purgeId] = (status, now);
        foreach (var (id, entry) in _purges)
            if (now - entry.At > StatusKept)
                _purges.TryRemove(id, out _);
    }
}
