using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Acl;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation.Backfill;

/// <summary>
/// Backfilling from other servers, as Synapse's <c>maybe_backfill</c> does it: when a client pages back to the start of
/// what the room's timeline holds here and the room has backward extremities there (<see cref="BackwardExtremityStore"/>),
/// the servers in the room are asked in turn (<c>GET /_matrix/federation/v1/backfill/{roomId}?v=&amp;limit=</c>) until one
/// gives events we lack. They go through the checks every received event passes (<see cref="InboundPduHandler.BackfillAsync"/>:
/// signatures and hashes, auth events asked of that server when unknown, the state at their gap from its
/// <c>/state_ids</c>), parents first, at stream positions below the room's others (<see cref="BackfillOrderings"/>).
/// One backfill runs per room at a time, in the background: a reader waits for it at most <see cref="Wait"/> and then
/// reads what is held, so a dead server does not hold up <c>/messages</c>.
/// </summary>
public sealed class RoomBackfiller(FederationOptions options, ServerIdentity server, BackwardExtremityStore extremities, EventStore events,
    RoomStore rooms, CurrentStateStore current, ServerAcls acls, FederationClient client, InboundPduHandler handler, BackfillOrderings orderings,
    TimeProvider time, ILogger<RoomBackfiller> log) : IHistoryBackfill, IDisposable
{
    /// <summary>Events asked for per request, as Synapse asks.</summary>
    public const int Limit = 100;

    /// <summary>Extremities named per request (Synapse names five; a forked history before a join may have more).</summary>
    public const int MaxExtremities = 20;

    /// <summary>How long a read waits for the backfill it started or found running.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>How long one backfill may run in the background before it gives up.</summary>
    public static readonly TimeSpan MaxRun = TimeSpan.FromMinutes(2);

    // A hundred events of at most 64 KiB, with room for the JSON around them.
    private const long MaxAnswerBytes = 8L * 1024 * 1024;

    private readonly Dictionary<string, Task> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    public async Task BeforeAsync(RoomId roomId, long before, int limit, CancellationToken ct)
    {
        if (!options.Enabled || await events.CountBeforeAsync(roomId.ToString(), before, limit + 1, ct) > limit)
            return;
        Task run;
        lock (_running)
        {
            if (!_running.TryGetValue(roomId.ToString(), out run!))
                _running[roomId.ToString()] = run = Task.Run(() => RunAsync(roomId), CancellationToken.None);
        }
        try
        {
            await run.WaitAsync(Wait, ct);
        }
        catch (TimeoutException)
        {
            log.LogInformation("Backfill of {RoomId} still running after {Wait}; answering with what is held", roomId, Wait);
        }
    }

    private async Task RunAsync(RoomId roomId)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        cts.CancelAfter(MaxRun);
        try
        {
            await BackfillAsync(roomId, cts.Token);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Backfill of {RoomId} failed", roomId);
        }
        finally
        {
            lock (_running)
                _running.Remove(roomId.ToString());
        }
    }

    private async Task BackfillAsync(RoomId roomId, CancellationToken ct)
    {
        var room = roomId.ToString();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var from = (await extremities.DueAsync(room, now, MaxExtremities, ct)).Select(x => x.EventId).ToList();
        if (from.Count == 0)
            return;
        var version = await rooms.VersionOfAsync(room, ct);
        foreach (var destination in await DestinationsAsync(roomId, ct))
        {
            try
            {
                if (await FromAsync(destination, roomId, version, from, ct) > 0)
                    break;
            }
            catch (HttpRequestException e)
            {
                log.LogInformation("Could not backfill {RoomId} from {Destination}: {Reason}", roomId, destination, e.Message);
            }
        }
        // Those still extremities are those no server gave: asked again later, less and less often.
        await extremities.BackOffAsync(room, from, now, ct);
    }

    /// <summary>
    /// The other servers with joined members that the room's ACL allows, those whose members joined first (the
    /// likeliest to hold the history) first, as Synapse orders them.
    /// </summary>
    private async Task<IReadOnlyList<string>> DestinationsAsync(RoomId roomId, CancellationToken ct)
    {
        var joined = (await current.MembersAsync(roomId.ToString(), ct)).Where(m => m.Membership == "join").ToList();
        var depths = await events.GetManyAsync(joined.Select(m => m.EventId).ToList(), ct);
        var servers = joined
            .Select(m => (Server: UserId.TryParse(m.UserId, out var user) ? user.Value.ServerName : null,
                Depth: depths.TryGetValue(m.EventId, out var row) ? row.Depth : long.MaxValue))
            .Where(s => s.Server is not null && s.Server != server.ServerName)
            .GroupBy(s => s.Server!)
            .OrderBy(g => g.Min(s => s.Depth)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key);
        var allowed = new List<string>();
        foreach (var name in servers)
            if (await acls.IsAllowedAsync(roomId, name, ct))
                allowed.Add(name);
        return allowed;
    }

    /// <summary>The number of events <paramref name="destination"/> gave that are now in the room's timeline here.</summary>
    private async Task<int> FromAsync(string destination, RoomId roomId, RoomVersion version, IReadOnlyList<string> from, CancellationToken ct)
    {
        var room = roomId.ToString();
        var query = string.Join("&", from.Select(id => "v=" + Uri.EscapeDataString(id)));
        var answer = await client.SendForJsonAsync(HttpMethod.Get, destination,
            $"/_matrix/federation/v1/backfill/{Uri.EscapeDataString(room)}?{query}&limit={Limit}", null, ct, MaxAnswerBytes);
        if (answer["pdus"] is not JsonArray list)
        {
            log.LogInformation("{Destination} answered a backfill of {RoomId} without a 'pdus' list", destination, roomId);
            return 0;
        }
        var read = InboundPdu.ReadOfRoom(list, Limit, roomId, version,
            reason => log.LogInformation("{Destination} backfilled an unreadable event for {RoomId}: {Reason}", destination, roomId, reason));
        var ids = read.Select(e => e.EventId.ToString()).ToList();
        var held = await events.GetManyAsync(ids, ct);
        var handled = await handler.VerdictsAsync(ids, ct);
        // Outliers (the state we joined with) are history too: they take their place in the timeline now.
        var fresh = MissingEventsOrder.OldestFirst(read.Where(e =>
            !(held.TryGetValue(e.EventId.ToString(), out var row) && row.StreamOrdering != 0) && !handled.ContainsKey(e.EventId.ToString())));
        if (fresh.Count == 0)
            return 0;
        var lowest = await orderings.ReserveAsync(fresh.Count, ct);
        var added = 0;
        for (var i = 0; i < fresh.Count; i++)
        {
            if (await handler.BackfillAsync(destination, fresh[i], lowest + i, ct) is { } error)
                log.LogInformation("Backfilled event {EventId} in {RoomId} from {Destination} not added: {Reason}",
                    fresh[i].EventId, roomId, destination, error);
            else
                added++;
        }
        log.LogInformation("Backfilled {Added} of {Count} events of {RoomId} from {Destination}", added, fresh.Count, roomId, destination);
        return added;
    }

    // Only cancelled: the container disposes the one instance under both of its registrations.
    public void Dispose() => _stopping.Cancel();
}
