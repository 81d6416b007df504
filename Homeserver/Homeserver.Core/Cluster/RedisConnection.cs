using Homeserver.Core.Configuration;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Homeserver.Core.Cluster;

/// <summary>
/// This node's connection to Redis, shared by the bus and the shared state. It is opened without waiting for Redis:
/// a node starts and serves while Redis is down, and the client reconnects in the background.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;

    public RedisConnection(RedisOptions options, ILogger<RedisConnection> log)
    {
        var config = ConfigurationOptions.Parse(options.Configuration);
        config.AbortOnConnectFail = false;
        // Commands wait at most this long for Redis; what needs Redis falls back to this node alone past it.
        config.SyncTimeout = config.AsyncTimeout = 2000;
        config.ConnectTimeout = 2000;
        _multiplexer = ConnectionMultiplexer.Connect(config);
        _multiplexer.ConnectionFailed += (_, e) =>
            log.LogWarning(e.Exception, "Lost the {ConnectionType} connection to Redis at {Endpoint}: {FailureType}", e.ConnectionType, e.EndPoint, e.FailureType);
        _multiplexer.ConnectionRestored += (_, e) =>
            log.LogInformation("The {ConnectionType} connection to Redis at {Endpoint} is back", e.ConnectionType, e.EndPoint);
        Prefix = options.Prefix;
    }

    public string Prefix { get; }

    public IConnectionMultiplexer Multiplexer => _multiplexer;

    public IDatabase Database => _multiplexer.GetDatabase();

    public ValueTask DisposeAsync() => _multiplexer.DisposeAsync();
}
