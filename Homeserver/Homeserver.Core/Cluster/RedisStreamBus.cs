using System.Threading.Channels;
using Homeserver.Core.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Homeserver.Core.Cluster;

/// <summary>
/// The bus between the nodes sharing one database: every update is delivered to this node's subscribers (once readers
/// can see it) and published on one Redis channel; every node delivers the others' updates to its own subscribers,
/// marked with their <see cref="StreamUpdate.Origin"/>. Redis pub/sub keeps nothing for a node that is cut off, and
/// needs not: updates only wake readers of the database. When this node's subscription comes back after a cut, its
/// subscribers hear that anything may have changed (<see cref="StreamUpdate.Everyone"/>) and read again.
/// Other nodes' updates are delivered in batches: whatever arrived while the previous batch waited until readers could
/// see it waits together, so a busy bus costs one position read per batch rather than one per message.
/// </summary>
public sealed class RedisStreamBus : IStreamBus, IHostedService
{
    /// <summary>What readers of a cut-off node are told to read again.</summary>
    private static readonly string[] CatchUpStreams =
    [
        StreamNames.Events, StreamNames.PushActions, StreamNames.AccountData, StreamNames.Receipts, StreamNames.Presence,
        StreamNames.ToDevice, StreamNames.DeviceLists, StreamNames.Typing, StreamNames.Sessions,
        StreamNames.RateLimitOverrides,
    ];

    private readonly VisibleStreamBus _local;
    private readonly RedisConnection _redis;
    private readonly ILogger<RedisStreamBus> _log;
    private readonly RedisChannel _channel;
    // Unique to this process, so that its own messages are told apart even if two nodes were given one instance name.
    private readonly string _node;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<IReadOnlyList<StreamUpdate>> _received =
        Channel.CreateUnbounded<IReadOnlyList<StreamUpdate>>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _subscribing;
    private Task? _delivering;

    public RedisStreamBus(VisibleStreamBus local, RedisConnection redis, WriterInstance writer, ILogger<RedisStreamBus> log)
    {
        _local = local;
        _redis = redis;
        _log = log;
        _channel = RedisChannel.Literal(redis.Prefix + ":streams");
        _node = $"{writer.Name}/{Guid.NewGuid():N}";
        redis.Multiplexer.ConnectionRestored += OnRestored;
    }

    public async Task PublishAsync(IReadOnlyList<StreamUpdate> updates, CancellationToken ct)
    {
        await _local.PublishAsync(updates, ct);
        try
        {
            await _redis.Multiplexer.GetSubscriber().PublishAsync(_channel, StreamUpdateMessage.Serialize(_node, updates), CommandFlags.FireAndForget);
        }
        catch (RedisException e)
        {
            // The connection's loss is logged once where it happens; the other nodes catch up when it returns.
            _log.LogDebug(e, "Could not publish {Count} updates to Redis", updates.Count);
        }
    }

    public IDisposable Subscribe(IReadOnlyCollection<string> streams, Func<StreamUpdate, CancellationToken, ValueTask> handler) =>
        _local.Subscribe(streams, handler);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscribing = SubscribeAsync(_stopping.Token);
        _delivering = DeliverReceivedAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_subscribing is not null)
            await _subscribing;
        if (_delivering is not null)
            await _delivering;
        await _redis.Multiplexer.GetSubscriber().UnsubscribeAsync(_channel, null, CommandFlags.FireAndForget);
    }

    // Redis may be down when the node starts; the node serves meanwhile and subscribes once it can. After that the
    // client renews the subscription itself on every reconnect.
    private async Task SubscribeAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var queue = await _redis.Multiplexer.GetSubscriber().SubscribeAsync(_channel);
                queue.OnMessage(OnMessageAsync);
                return;
            }
            catch (RedisException e)
            {
                _log.LogWarning("Could not subscribe to the Redis channel {Channel} yet: {Error}", _channel, e.Message);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private Task OnMessageAsync(ChannelMessage message)
    {
        if (StreamUpdateMessage.Parse((byte[])message.Message!) is not { Updates: not null } received)
        {
            _log.LogWarning("Ignored a message on {Channel} that is no stream update", _channel);
            return Task.CompletedTask;
        }
        if (received.Node != _node)
            _received.Writer.TryWrite(received.ToUpdates());
        return Task.CompletedTask;
    }

    private async Task DeliverReceivedAsync(CancellationToken ct)
    {
        var batch = new List<StreamUpdate>();
        try
        {
            while (await _received.Reader.WaitToReadAsync(ct))
            {
                batch.Clear();
                while (_received.Reader.TryRead(out var updates))
                    batch.AddRange(updates);
                // Revocations first across the batch too, as within each message (StreamUpdateMessage.ToUpdates).
                IReadOnlyList<StreamUpdate> ordered = [.. batch.OrderBy(u => u.Stream == StreamNames.Sessions ? 0 : 1)];
                try
                {
                    await _local.DeliverAsync(ordered, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    _log.LogError(e, "Could not deliver {Count} updates from other nodes", ordered.Count);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType != ConnectionType.Subscription)
            return;
        _ = Task.Run(async () =>
        {
            try
            {
                await _local.DeliverAsync([.. CatchUpStreams.Select(s => new StreamUpdate(s, 0, []) { Everyone = true })], _stopping.Token);
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                _log.LogError(ex, "Could not tell this node's readers to catch up after Redis came back");
            }
        });
    }
}
