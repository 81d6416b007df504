using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.AppServices;

/// <summary>
/// Pushes each application service the events it is interested in (spec "Pushing events"), in stream order, one
/// transaction at a time: a transaction is recorded before it is sent and sent again, the same, until the service
/// takes it, so the service sees every event once and in order, across its outages and the server's restarts. A
/// service that is down is retried with exponential backoff; the events stream wakes the loops.
/// </summary>
public sealed class AppServiceSender(
    AppServiceRegistry registry,
    AppServiceStateStore states,
    AppServiceInterest interest,
    AppServiceTransactionExtras extras,
    AppServiceClient client,
    EventStore events,
    RoomStore rooms,
    StreamPositions positions,
    IStreamBus bus,
    TimeProvider time,
    ILogger<AppServiceSender> log) : BackgroundService
{
    /// <summary>The spec's bound on a transaction's events is the homeserver's choice; Synapse sends at most 100.</summary>
    public const int MaxEventsPerTransaction = 100;
    private static readonly TimeSpan RetryInitial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryMax = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _wake = new();
    // Typing lives in memory only, so the rooms whose typing changed wait here for each service's next transaction.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _typingRooms = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var services = registry.All.Where(s => s.Url is not null).ToList();
        if (services.Count == 0)
            return;
        var now = await positions.ReadAsync(stoppingToken);
        foreach (var s in services)
        {
            await states.EnsureAsync(s.Id, now, stoppingToken);
            _wake[s.Id] = new SemaphoreSlim(0, 1);
            _typingRooms[s.Id] = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        }
        using var subscription = bus.Subscribe(WakingStreams(services), (update, _) =>
        {
            foreach (var s in services)
            {
                if (update.Stream is StreamNames.Receipts or StreamNames.Presence or StreamNames.Typing && !s.ReceiveEphemeral)
                    continue;
                if (update.Stream is StreamNames.ToDevice or StreamNames.DeviceLists && !s.DeviceMasquerading)
                    continue;
                if (update.Stream == StreamNames.Typing && update.RoomId is { } roomId)
                    _typingRooms[s.Id][roomId] = 0;
                Wake(_wake[s.Id]);
            }
            return ValueTask.CompletedTask;
        });
        await Task.WhenAll(services.Select(s => RunAsync(s, stoppingToken)));
    }

    private static List<string> WakingStreams(IReadOnlyList<AppServiceRegistration> services)
    {
        var streams = new List<string> { StreamNames.Events };
        if (services.Any(s => s.ReceiveEphemeral))
            streams.AddRange([StreamNames.Receipts, StreamNames.Presence, StreamNames.Typing]);
        if (services.Any(s => s.DeviceMasquerading))
            streams.AddRange([StreamNames.ToDevice, StreamNames.DeviceLists]);
        return streams;
    }

    private static void Wake(SemaphoreSlim gate)
    {
        if (gate.CurrentCount == 0)
        {
            try
            {
                gate.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another publisher woke it first; one wake-up is enough.
            }
        }
    }

    private async Task RunAsync(AppServiceRegistration service, CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            string? error;
            try
            {
                error = await DeliverAsync(service, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Delivery to the application service {AppService} failed", service.Id);
                error = e.Message;
            }
            try
            {
                if (error is null)
                {
                    failures = 0;
                    await _wake[service.Id].WaitAsync(ct);
                    continue;
                }
                failures++;
                var delay = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, RetryInitial.Ticks << Math.Min(failures - 1, 20)));
                log.LogWarning("A transaction to the application service {AppService} failed ({Error}); retrying in {Delay}", service.Id, error, delay);
                await Task.Delay(delay, time, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Sends transactions until the service is up to date; the error of the one that failed, else null.</summary>
    private async Task<string?> DeliverAsync(AppServiceRegistration service, CancellationToken ct)
    {
        while (true)
        {
            var state = await states.GetAsync(service.Id, ct) ?? throw new InvalidOperationException($"no state for {service.Id}");
            if (state.PendingTxnId is not { } txnId)
            {
                var upto = await positions.ReadAsync(ct);
                var batch = await events.RangeAsync(state.EventsPosition, upto.Of(StreamNames.Events), MaxEventsPerTransaction, ct);
                var verdicts = new AppServiceInterest.Verdicts();
                var wanted = await interest.FilterAsync(service, batch, verdicts, ct);
                var from = AppServiceStreamPositions.FromJson(state.StreamPositions) ?? throw new InvalidOperationException($"no stream positions for {service.Id}");
                var more = await extras.CollectAsync(service, from, upto, TakeTypingRooms(service), wanted, verdicts, ct);
                var eventsTo = batch.Count > 0 ? batch[^1].StreamOrdering : state.EventsPosition;
                if (wanted.Count == 0 && more.Fields.Count == 0)
                {
                    if (eventsTo == state.EventsPosition && more.Positions == from)
                        return null;
                    await states.SkipToAsync(service.Id, eventsTo, more.Positions, ct);
                    continue;
                }
                txnId = state.LastTxnId + 1;
                state.PendingEventIds = JsonSerializer.Serialize(wanted.Select(e => e.EventId).ToList());
                state.PendingExtra = more.Fields.Count == 0 ? null : more.Fields.ToJsonString();
                state.PendingToDevice = more.ToDeviceIds.Count == 0 ? null : JsonSerializer.Serialize(more.ToDeviceIds);
                await states.SetPendingAsync(service.Id, new AppServiceStateStore.Pending(txnId, eventsTo, state.PendingEventIds, more.Positions,
                    state.PendingExtra, state.PendingToDevice), ct);
            }
            var ids = JsonSerializer.Deserialize<List<string>>(state.PendingEventIds ?? "[]") ?? [];
            var body = await TransactionBodyAsync(ids, state.PendingExtra, ct);
            var result = await client.PutTransactionAsync(service, txnId, body, ct);
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (!result.Succeeded)
            {
                await states.RecordFailureAsync(service.Id, result.Error!, nowMs, ct);
                return result.Error;
            }
            await states.CompleteAsync(service.Id, txnId, JsonSerializer.Deserialize<List<long>>(state.PendingToDevice ?? "[]") ?? [], nowMs, ct);
            log.LogDebug("Application service {AppService} took transaction {TxnId} ({Count} events)", service.Id, txnId, ids.Count);
        }
    }

    private IReadOnlyCollection<string> TakeTypingRooms(AppServiceRegistration service)
    {
        var rooms = _typingRooms[service.Id];
        var taken = new List<string>();
        foreach (var roomId in rooms.Keys)
            if (rooms.TryRemove(roomId, out _))
                taken.Add(roomId);
        return taken;
    }

    private async Task<JsonObject> TransactionBodyAsync(IReadOnlyList<string> eventIds, string? extra, CancellationToken ct)
    {
        var rows = await events.GetManyAsync(eventIds, ct);
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var list = new JsonArray();
        foreach (var id in eventIds)
            if (rows.TryGetValue(id, out var row))
                list.Add(ClientEventFormatter.Format(row, await rooms.VersionOfAsync(row.RoomId, ct), nowMs));
        var body = extra is null ? new JsonObject() : JsonNode.Parse(extra)!.AsObject();
        body["events"] = list;
        return body;
    }
}
