using Homeserver.Core.Cluster;
using Homeserver.Core.Connections;
using Homeserver.Core.Streams;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Homeserver.Core.Presence;

/// <summary>
/// Who is syncing, and when each user was last active, as every node sees it: with Redis, one sorted set of users by
/// last activity (<c>PREFIX:presence:active</c>) and per user a sorted set of the nodes syncing them, each with the
/// time its entry expires (<c>PREFIX:presence:syncing:USER</c>). A node adds itself when a user's first sync on it
/// begins, removes itself when their last ends, and renews its entries on every presence sweep; the entries of a
/// node that died expire unrenewed after <see cref="Lifetime"/>. Times are Redis's, so the nodes' clocks do not
/// matter. On a single node, or while Redis cannot be reached, there is no shared view (<see cref="ReadAsync"/>
/// answers null) and presence goes by this node's own.
/// </summary>
public sealed class SharedPresenceActivity
{
    /// <summary>How long a node's claim that it syncs a user lasts unrenewed: three presence sweeps.</summary>
    public static readonly TimeSpan Lifetime = PresenceService.SweepInterval * 3;

    /// <summary>How long a user's last activity is kept: far longer than any node asks about.</summary>
    private static readonly TimeSpan ActivityKept = TimeSpan.FromHours(1);

    private const string Now = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        """;

    // KEYS: the activity set, then one syncing set per user; ARGV: this node, the lifetime, then the users.
    private const string Claim = Now + """
        for i = 2, #KEYS do
          redis.call('ZADD', KEYS[i], now + tonumber(ARGV[2]), ARGV[1])
          redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2]))
          redis.call('ZADD', KEYS[1], now, ARGV[i + 1])
        end
        return 1
        """;

    // KEYS: the activity set, the user's syncing set; ARGV: this node, the user.
    private const string Release = Now + """
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('ZADD', KEYS[1], now, ARGV[2])
        return 1
        """;

    // KEYS: the activity set, then one syncing set per user; ARGV: how long activity is kept, then the users.
    // Answers per user the number of nodes syncing them and the milliseconds since their last activity (-1: none kept).
    private const string Read = Now + """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
        local out = {}
        for i = 2, #KEYS do
          out[#out + 1] = redis.call('ZCOUNT', KEYS[i], '(' .. now, '+inf')
          local at = redis.call('ZSCORE', KEYS[1], ARGV[i])
          out[#out + 1] = at and (now - tonumber(at)) or -1
        end
        return out
        """;

    /// <summary>What the nodes together know of a user: whether any node is syncing them, and how long ago they were last active.</summary>
    public readonly record struct Activity(bool Syncing, TimeSpan? LastActiveAgo);

    private readonly RedisConnection? _redis;
    private readonly ILogger<SharedPresenceActivity> _log;
    private readonly RedisKey _active;
    // Unique to this process, so that a restarted node does not renew what its predecessor claimed.
    private readonly RedisValue _node;

    public SharedPresenceActivity(SyncConnectionTracker connections, WriterInstance writer, ILogger<SharedPresenceActivity> log, RedisConnection? redis = null)
    {
        _redis = redis;
        _log = log;
        _node = $"{writer.Name}/{Guid.NewGuid():N}";
        if (redis is null)
            return;
        _active = $"{redis.Prefix}:presence:active";
        connections.UserBeganSyncing += user => Send(Claim, [_active, SyncingKey(user)], [_node, LifetimeMs, user]);
        connections.UserStoppedSyncing += user => Send(Release, [_active, SyncingKey(user)], [_node, user]);
    }

    private static long LifetimeMs => (long)Lifetime.TotalMilliseconds;

    private bool Connected => _redis is { Multiplexer.IsConnected: true };

    /// <summary>Renews this node's claims on the users it is syncing, and their activity.</summary>
    public async Task RenewAsync(IReadOnlyList<string> syncing, CancellationToken ct)
    {
        if (!Connected || syncing.Count == 0)
            return;
        try
        {
            await _redis!.Database.ScriptEvaluateAsync(Claim, [_active, .. syncing.Select(SyncingKey)], [_node, LifetimeMs, .. syncing.Select(u => (RedisValue)u)])
                .WaitAsync(ct);
        }
        catch (RedisException e)
        {
            _log.LogWarning("Could not renew this node's {Count} syncing users in Redis: {Error}", syncing.Count, e.Message);
        }
    }

    /// <summary>What every node says of <paramref name="users"/>, or null when there is no shared view to ask.</summary>
    public async Task<IReadOnlyDictionary<string, Activity>?> ReadAsync(IReadOnlyCollection<string> users, CancellationToken ct)
    {
        if (!Connected || users.Count == 0)
            return null;
        try
        {
            var answer = (RedisResult[])(await _redis!.Database.ScriptEvaluateAsync(Read, [_active, .. users.Select(SyncingKey)],
                [(long)ActivityKept.TotalMilliseconds, .. users.Select(u => (RedisValue)u)]).WaitAsync(ct))!;
            var result = new Dictionary<string, Activity>(users.Count);
            var i = 0;
            foreach (var user in users)
            {
                var ago = (long)answer[i * 2 + 1];
                result[user] = new Activity((long)answer[i * 2] > 0, ago < 0 ? null : TimeSpan.FromMilliseconds(ago));
                i++;
            }
            return result;
        }
        catch (RedisException e)
        {
            _log.LogDebug(e, "Could not read the nodes' presence activity from Redis; going by this node's");
            return null;
        }
    }

    private RedisKey SyncingKey(string user) => $"{_redis!.Prefix}:presence:syncing:{user}";

    // Fire and forget, on the thread that began or ended the sync: commands on one connection keep their order, and
    // a lost one is put right by the next renewal or expiry.
    private void Send(string script, RedisKey[] keys, RedisValue[] args)
    {
        if (!Connected)
            return;
        try
        {
            _redis!.Database.ScriptEvaluate(script, keys, args, CommandFlags.FireAndForget);
        }
        catch (RedisException e)
        {
            _log.LogDebug(e, "Could not record a sync's start or end in Redis");
        }
    }
}
