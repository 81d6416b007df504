using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Streams;

/// <summary>
/// The bus of one process: publishing runs each subscriber of the update's stream in turn, in the publisher's
/// flow, so a sync woken by a send is woken before the send answers. A failing subscriber is logged and skipped.
/// </summary>
public sealed class InProcessStreamBus : IStreamBus
{
    private sealed record Subscription(IReadOnlyCollection<string> Streams, Func<StreamUpdate, CancellationToken, ValueTask> Handler);

    private ImmutableList<Subscription> _subscriptions = [];
    private readonly ILogger<InProcessStreamBus> _log;

    public InProcessStreamBus(IEnumerable<IStreamSubscriber> subscribers, ILogger<InProcessStreamBus> log)
    {
        _log = log;
        foreach (var s in subscribers)
            Subscribe(s.Streams, s.OnUpdateAsync);
    }

    public async Task PublishAsync(IReadOnlyList<StreamUpdate> updates, CancellationToken ct)
    {
        var subscriptions = _subscriptions;
        foreach (var update in updates)
            foreach (var s in subscriptions)
            {
                if (s.Streams.Count > 0 && !s.Streams.Contains(update.Stream))
                    continue;
                try
                {
                    await s.Handler(update, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    _log.LogError(e, "A subscriber of the {Stream} stream failed on position {Position}", update.Stream, update.Position);
                }
            }
    }

    public IDisposable Subscribe(IReadOnlyCollection<string> streams, Func<StreamUpdate, CancellationToken, ValueTask> handler)
    {
        var subscription = new Subscription(streams, handler);
        ImmutableInterlocked.Update(ref _subscriptions, l => l.Add(subscription));
        return new Handle(() => ImmutableInterlocked.Update(ref _subscriptions, l => l.Remove(subscription)));
    }

    private sealed class Handle(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                dispose();
        }
    }
}
