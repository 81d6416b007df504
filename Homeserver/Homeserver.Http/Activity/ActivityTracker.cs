using System.Collections.Concurrent;
using Homeserver.Core.Accounts;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Http;

namespace Homeserver.Http.Activity;

/// <summary>
/// Records when each device was last seen (and the user last active, which presence reports), at most
/// once per interval per session: a write per request would cost more than the request itself. The write runs
/// beside the request instead of before it, so the request that is due does not wait for it; the response
/// still waits, so a client's next request sees the new time.
/// </summary>
public sealed class ActivityTracker(RequestDelegate next, ActivityRecorder activity, TimeProvider time)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, long> _lastWrite = new();
    private int _writesSinceSweep;

    public async Task InvokeAsync(HttpContext context)
    {
        var recording = RecordIfDue(context);
        try
        {
            await next(context);
        }
        finally
        {
            await recording;
        }
    }

    private Task RecordIfDue(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            var r = context.GetRequester();
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var last = _lastWrite.GetValueOrDefault(r.SessionId);
            // Only the request that wins the compare-and-swap writes, so concurrent requests do not all write.
            var due = now - last >= Interval.TotalMilliseconds;
            if (due && (last == 0 ? _lastWrite.TryAdd(r.SessionId, now) : _lastWrite.TryUpdate(r.SessionId, now, last)))
            {
                if (Interlocked.Increment(ref _writesSinceSweep) % 1000 == 0)
                    Sweep(now);
                var client = context.GetClientInfo();
                var aborted = context.RequestAborted;
                // On its own thread: an idle SQLite writer would otherwise run the write inline, before the request.
                return Task.Run(() => activity.RecordAsync(r.UserId, r.DeviceId, now, client.Ip, client.UserAgent, aborted), CancellationToken.None);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Forgets sessions not written for a whole interval: for them "absent" and "stale" mean the same, and
    /// without this the map would keep every session ever seen, revoked ones included.
    /// </summary>
    private void Sweep(long now)
    {
        foreach (var (session, last) in _lastWrite)
            if (now - last >= Interval.TotalMilliseconds)
                _lastWrite.TryRemove(new KeyValuePair<string, long>(session, last));
    }
}
