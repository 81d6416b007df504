using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Homeserver.Core.Configuration;
using Homeserver.Core.Observability;
using Homeserver.Core.Push.Counts;
using Homeserver.Core.Push.Pushers;
using Homeserver.Core.Streams;
using Homeserver.Core.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Push.Delivery;

/// <summary>
/// Works through <c>event_push_actions</c> for every pusher, oldest first, from the position stored with the
/// pusher, so a restart resumes where delivery stopped. Each pusher runs on its own so a dead gateway only delays
/// its own pushers; while a destination is down its pusher waits with exponential backoff and then retries the
/// same notification. The position is stored after each send: a crash between a send and that write sends that
/// one notification again after the restart (gateways drop duplicates by event ID), which is preferred to losing it.
/// </summary>
public sealed class PushDeliveryWorker(
    PusherStore pushers,
    PendingPushStore pending,
    PushEventReader events,
    NotificationCounts counts,
    HttpPushSender httpSender,
    WebPushSender webPushSender,
    SyncConnectionTracker syncing,
    IStreamBus bus,
    PushOptions options,
    TimeProvider time,
    ILogger<PushDeliveryWorker> log) : BackgroundService
{
    private const int BatchSize = 50;
    /// <summary>How long a Web Push activation token is valid (MSC4174).</summary>
    public static readonly TimeSpan AckTokenLifetime = TimeSpan.FromMinutes(5);

    private sealed class PusherState
    {
        public bool Running;
        public bool Again;
        public int Failures;
        public DateTimeOffset RetryAt;
        public string? AckTokenSent;
        /// <summary>A read receipt of the user's may have changed the unread count the app shows.</summary>
        public bool BadgeDue;
        /// <summary>The unread count the gateway last heard of; null until a notification or badge went out.</summary>
        public long? BadgeSent;
    }

    private readonly Channel<string> _users = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<PusherKey, PusherState> _states = new();
    private CancellationToken _stopping;

    /// <summary>Looks at the user's pushers soon: there is new work.</summary>
    public void Wake(string userId) => _users.Writer.TryWrite(userId);

    /// <summary>A client set the pusher again, perhaps with a new destination: any backoff for the old one is over.</summary>
    public void PusherChanged(PusherKey key)
    {
        if (_states.TryGetValue(key, out var state))
            lock (state)
            {
                state.RetryAt = DateTimeOffset.MinValue;
                state.Failures = 0;
            }
        Wake(key.UserId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        // The event_push_actions table is the durable queue; the stream only spares polling it.
        using var subscription = bus.Subscribe([StreamNames.PushActions], OnCommitted);
        using var receipts = bus.Subscribe([StreamNames.Receipts], OnReceipt);
        try
        {
            await WakeAllAsync(stoppingToken);
            await foreach (var userId in _users.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    foreach (var pusher in await pushers.ListAsync(userId, stoppingToken))
                        Start(pusher.Key);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogError(e, "Could not list the pushers of {UserId}", userId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WakeAllAsync(CancellationToken ct)
    {
        foreach (var userId in await pushers.UsersWithPushersAsync(ct))
            Wake(userId);
    }

    private async ValueTask OnCommitted(StreamUpdate update, CancellationToken ct)
    {
        // Updates from other nodes may have been missed: every pusher looks at its queue again.
        if (update.Everyone)
        {
            await WakeAllAsync(ct);
            return;
        }
        foreach (var userId in update.Users)
            Wake(userId);
    }

    /// <summary>A receipt's author is the user it concerns; their HTTP pushers get the new badge if it changed.</summary>
    private ValueTask OnReceipt(StreamUpdate update, CancellationToken ct)
    {
        if (update.Everyone)
            return ValueTask.CompletedTask;
        foreach (var (key, state) in _states)
        {
            if (!update.Users.Contains(key.UserId))
                continue;
            lock (state)
                state.BadgeDue = true;
            Start(key);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs the pusher's delivery unless it is running (then it goes round once more) or backing off.</summary>
    private void Start(PusherKey key)
    {
        var state = _states.GetOrAdd(key, _ => new PusherState());
        lock (state)
        {
            if (state.Running)
            {
                state.Again = true;
                return;
            }
            if (time.GetUtcNow() < state.RetryAt)
                return;
            state.Running = true;
        }
        _ = Task.Run(() => RunAsync(key, state), CancellationToken.None);
    }

    private async Task RunAsync(PusherKey key, PusherState state)
    {
        while (true)
        {
            TimeSpan? retry;
            try
            {
                retry = await DeliverAsync(key, state, _stopping);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                // Stopping: whatever failed (a cancelled send, the database already disposed) resumes from the stored position at the next start.
                return;
            }
            catch (Exception e)
            {
                retry = Backoff(state, null);
                log.LogError(e, "Push delivery to the {AppId} pusher of {UserId} failed; retrying in {Delay}", key.AppId, key.UserId, retry);
            }
            lock (state)
            {
                if (retry is null && state.Again)
                {
                    state.Again = false;
                    continue;
                }
                state.Running = false;
                state.Again = false;
                if (retry is { } delay)
                    state.RetryAt = time.GetUtcNow() + delay;
            }
            if (retry is { } wait)
                _ = Task.Delay(wait, time, _stopping).ContinueWith(t =>
                {
                    if (t.IsCanceled)
                        return;
                    // Timers may fire a little early; the backoff is over either way.
                    lock (state)
                        state.RetryAt = DateTimeOffset.MinValue;
                    Start(key);
                }, TaskScheduler.Default);
            return;
        }
    }

    /// <summary>Sends what is pending for one pusher; returns when to retry, or null when there is nothing left.</summary>
    private async Task<TimeSpan?> DeliverAsync(PusherKey key, PusherState state, CancellationToken ct)
    {
        while (true)
        {
            var pusher = await pushers.GetAsync(key, ct);
            if (pusher is null)
            {
                _states.TryRemove(key, out _);
                return null;
            }
            if (pusher.Kind == PusherRecord.WebPushKind && !pusher.Activated)
                return await SendActivationAsync(pusher, state, ct);
            var batch = await pending.AfterAsync(key.UserId, pusher.LastStreamOrdering, BatchSize, ct);
            if (batch.Count == 0)
            {
                await SendBadgeIfDueAsync(pusher, state, ct);
                return null;
            }
            var position = pusher.LastStreamOrdering;
            var stored = position;
            foreach (var item in batch)
            {
                var result = await DeliverOneAsync(pusher, state, item, ct);
                if (result.Outcome == PushOutcome.PusherGone)
                {
                    await DropAsync(pusher, result, ct);
                    return null;
                }
                if (result.Outcome == PushOutcome.RetryLater)
                {
                    if (position > stored)
                        await pushers.AdvanceAsync(key, position, ct);
                    return BackoffAfter(pusher, state, result);
                }
                if (result.Problem is not null)
                    log.LogWarning("Dropped a notification for the {AppId} pusher of {UserId} (device {DeviceId}): {Problem}",
                        pusher.AppId, pusher.UserId, pusher.DeviceId, result.Problem);
                state.Failures = 0;
                position = item.StreamOrdering;
                if (result.Outcome == PushOutcome.Delivered)
                {
                    await pushers.AdvanceAsync(key, position, ct);
                    stored = position;
                }
            }
            if (position > stored)
                await pushers.AdvanceAsync(key, position, ct);
        }
    }

    /// <summary>
    /// Skips what the device sees anyway (it is syncing) and what is too old to be worth a notification;
    /// sends the rest. Skipped and dropped notifications count as handled.
    /// </summary>
    private async Task<PushSendResult> DeliverOneAsync(PusherRecord pusher, PusherState state, PendingPush item, CancellationToken ct)
    {
        if (time.GetUtcNow().ToUnixTimeMilliseconds() - item.Ts > options.MaxAge.Value.TotalMilliseconds)
            return PushSendResult.Skipped;
        if (syncing.IsSyncing(pusher.UserId, pusher.DeviceId, options.OnlineGrace.Value))
            return PushSendResult.Skipped;
        var details = await events.ReadAsync(item.EventId, ct);
        if (details is null)
            return PushSendResult.Skipped;
        var unread = await counts.TotalUnreadAsync(pusher.UserId, ct);
        var body = PushNotificationFormatter.Format(pusher, details, PushNotificationFormatter.ParseActions(item.Actions), unread);
        var result = await SendAsync(pusher, body, ct);
        if (result.Outcome == PushOutcome.Delivered)
            state.BadgeSent = unread;
        return result;
    }

    /// <summary>
    /// Best effort, as Synapse does it: a badge that fails to go is not retried, the next notification carries the
    /// count anyway. Web Push subscriptions get none: every message to them wakes the device.
    /// </summary>
    private async Task SendBadgeIfDueAsync(PusherRecord pusher, PusherState state, CancellationToken ct)
    {
        lock (state)
        {
            if (!state.BadgeDue)
                return;
            state.BadgeDue = false;
        }
        if (pusher.Kind != PusherRecord.HttpKind)
            return;
        var unread = await counts.TotalUnreadAsync(pusher.UserId, ct);
        if (unread == state.BadgeSent)
            return;
        if ((await SendAsync(pusher, PushNotificationFormatter.FormatBadge(pusher, unread), ct)).Outcome == PushOutcome.Delivered)
            state.BadgeSent = unread;
    }

    private async Task<PushSendResult> SendAsync(PusherRecord pusher, JsonObject body, CancellationToken ct)
    {
        var result = pusher.Kind == PusherRecord.WebPushKind
            ? await webPushSender.SendAsync(pusher, body, PushNotificationFormatter.IsHighPriority(body), ct)
            : await httpSender.SendAsync(pusher, body, ct);
        HomeserverMetrics.PushesSent.Add(1, result.Outcome switch
        {
            PushOutcome.Delivered => MetricTags.Delivered,
            PushOutcome.RetryLater => MetricTags.Failed,
            PushOutcome.PusherGone => MetricTags.Rejected,
            _ => MetricTags.Refused,
        });
        return result;
    }

    /// <summary>MSC4174: a new Web Push pusher gets only the message carrying its activation token until it is acknowledged.</summary>
    private async Task<TimeSpan?> SendActivationAsync(PusherRecord pusher, PusherState state, CancellationToken ct)
    {
        if (pusher.AckToken is null || state.AckTokenSent == pusher.AckToken ||
            time.GetUtcNow().ToUnixTimeMilliseconds() - pusher.AckTokenTs > AckTokenLifetime.TotalMilliseconds)
            return null;
        var result = await webPushSender.SendAsync(pusher, new JsonObject { ["app_id"] = pusher.AppId, ["ack_token"] = pusher.AckToken }, highUrgency: true, ct);
        switch (result.Outcome)
        {
            case PushOutcome.PusherGone:
                await DropAsync(pusher, result, ct);
                return null;
            case PushOutcome.RetryLater:
                return BackoffAfter(pusher, state, result);
            default:
                state.AckTokenSent = pusher.AckToken;
                state.Failures = 0;
                return null;
        }
    }

    private async Task DropAsync(PusherRecord pusher, PushSendResult result, CancellationToken ct)
    {
        await pushers.DeleteAsync(pusher.Key, ct);
        _states.TryRemove(pusher.Key, out _);
        log.LogInformation("Deleted the {AppId} pusher of {UserId} (device {DeviceId}): {Problem}", pusher.AppId, pusher.UserId, pusher.DeviceId, result.Problem);
    }

    private TimeSpan BackoffAfter(PusherRecord pusher, PusherState state, PushSendResult result)
    {
        var delay = Backoff(state, result.RetryAfter);
        log.LogWarning("Push to the {AppId} pusher of {UserId} (device {DeviceId}) failed: {Problem}; retrying in {Delay} (failure {Failures} in a row)",
            pusher.AppId, pusher.UserId, pusher.DeviceId, result.Problem, delay, state.Failures);
        return delay;
    }

    private TimeSpan Backoff(PusherState state, TimeSpan? requested)
    {
        var exponent = Math.Min(state.Failures++, 20);
        var delay = TimeSpan.FromTicks(Math.Min(options.RetryInitial.Value.Ticks * (1L << exponent), options.RetryMax.Value.Ticks));
        return requested is { } r && r > delay ? r : delay;
    }
}
