using System.Diagnostics;
using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Ephemeral;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Observability;
using Homeserver.Core.Streams;
using Homeserver.Core.Sync.Providers;

namespace Homeserver.Core.Sync;

/// <summary>
/// <c>GET /sync</c>: what changed for a user between two stream positions, held open until something arrives or the
/// timeout passes. Each part of the response comes from one <see cref="ISyncProvider"/>; this only bounds the round by
/// the streams' positions, runs the providers in order and waits on <see cref="SyncNotifier"/> when none had news.
/// </summary>
public sealed class SyncService(IEnumerable<ISyncProvider> providers, AccountDataStore accountData, TypingService typing,
    SyncNotifier notifier, StreamPositions positions, TimeProvider time)
{

    private readonly IReadOnlyList<ISyncProvider> _providers = [.. providers];

    public sealed record SyncResult(JsonObject Response, SyncToken NextBatch, bool IsEmpty);

    /// <summary>One sync request: who asks, from which device, from where, and how much.</summary>
    public sealed record SyncRequest(UserId UserId, string DeviceId, SyncToken? Since, SyncFilter Filter, bool FullState)
    {
        /// <summary>
        /// Whether asking from <see cref="Since"/> proves the client received everything up to it, so to-device messages
        /// up to it may go. True for a /sync request; a WebSocket round is not proof, as a frame written to a socket can
        /// be lost with the connection, so there only the token a client connects with confirms.
        /// </summary>
        public bool ConfirmsDelivery { get; init; } = true;

        /// <summary>
        /// Whether something the providers do not show happened up to a position, which ends the wait as their news
        /// would: a room that the user follows through the <c>/events</c> stream without being in it.
        /// </summary>
        public Func<SyncToken, CancellationToken, Task<bool>>? NewsElsewhere { get; init; }
    }

    /// <param name="sessionLive">Re-checked after every wake-up, so a long poll on a revoked token ends at once with M_UNKNOWN_TOKEN.</param>
    public async Task<SyncResult> SyncAsync(SyncRequest request, TimeSpan timeout, CancellationToken ct, Func<ValueTask<bool>>? sessionLive = null)
    {
        var (userId, _, since, _, fullState) = request;
        var deadline = time.GetUtcNow() + timeout;
        if (since is { } acknowledged && request.ConfirmsDelivery)
            foreach (var provider in _providers)
                await provider.AcknowledgeAsync(request, acknowledged, ct);
        var user = userId.ToString();
        while (true)
        {
            var version = notifier.Version(user);
            var remaining = deadline - time.GetUtcNow();
            // When nothing of the user's happened since the token, however far other users' news moved the streams, the
            // response would be empty: wait without even reading the positions. A room followed through /events is not
            // the notifier's news, so there it always builds.
            var quiet = since is { } from && request.NewsElsewhere is null && !fullState && remaining > TimeSpan.Zero
                && notifier.NothingSince(user, from, version);
            var upto = quiet ? since!.Value : await ObservedTokenAsync(user, version, ct);
            // When no stream moved since the token the response would be empty too.
            if (upto != since || fullState || remaining <= TimeSpan.Zero)
            {
                var result = await ComputeAsync(request, upto, ct);
                remaining = deadline - time.GetUtcNow();
                if (!result.IsEmpty || since is null || fullState || remaining <= TimeSpan.Zero
                    || (request.NewsElsewhere is { } elsewhere && await elsewhere(result.NextBatch, ct)))
                    return await EnsureLiveAsync(result, sessionLive);
            }
            await notifier.WaitAsync(user, version, remaining, ct);
            if (sessionLive is not null && !await sessionLive())
                throw Errors.MatrixException.UnknownToken("Access token has been revoked", softLogout: false);
            if (time.GetUtcNow() >= deadline)
                return await ComputeAsync(request, await ObservedTokenAsync(user, notifier.Version(user), ct), ct);
        }
    }

    /// <summary>
    /// <see cref="CurrentTokenAsync"/>, noted with the user's notifier version read before it, so that a later poll from
    /// this token can tell from the version alone whether anything of the user's happened since.
    /// </summary>
    private async Task<SyncToken> ObservedTokenAsync(string user, long version, CancellationToken ct)
    {
        var upto = await CurrentTokenAsync(ct);
        notifier.Observed(user, version, upto);
        return upto;
    }

    // A write that revokes a session (deleting its device) commits before the revocation takes effect, so a round
    // computed meanwhile may hold that write's news (the device-list change); checked once more, it is not sent to
    // a session that no longer exists.
    private static async Task<SyncResult> EnsureLiveAsync(SyncResult result, Func<ValueTask<bool>>? sessionLive) =>
        result.IsEmpty || sessionLive is null || await sessionLive()
            ? result
            : throw Errors.MatrixException.UnknownToken("Access token has been revoked", softLogout: false);

    /// <summary>
    /// Where every stream stands now. Read before anything else and bounding every query of the sync, so whatever
    /// commits meanwhile is left for the next sync instead of being half-included.
    /// </summary>
    public async Task<SyncToken> CurrentTokenAsync(CancellationToken ct)
    {
        var streams = await positions.ReadAsync(ct);
        return SyncToken.From(streams.Positions).With(StreamNames.Typing, typing.Position);
    }

    private async Task<SyncResult> ComputeAsync(SyncRequest request, SyncToken upto, CancellationToken ct)
    {
        using var activity = HomeserverTelemetry.Source.StartActivity("sync compute");
        var start = Stopwatch.GetTimestamp();
        var ctx = new SyncContext(request, upto, accountData);
        // Set first so it leads the response; its value is known once every provider has had its say.
        var response = new JsonObject { ["next_batch"] = null };
        var news = false;
        foreach (var provider in _providers)
            news |= await provider.AddAsync(ctx, response, ct);
        response["next_batch"] = ctx.Upto.ToString();
        HomeserverMetrics.SyncComputeDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds,
            request.Since is null ? MetricTags.InitialSync : MetricTags.IncrementalSync);
        return new SyncResult(response, ctx.Upto, !news);
    }
}
