namespace Homeserver.Core.Configuration;

/// <summary>
/// Message retention (Synapse's <c>retention</c> section): rooms' <c>m.room.retention</c> policies, a default for
/// rooms without one, the bounds a room's policy is held within, and the jobs that purge expired events.
/// </summary>
public sealed class RetentionOptions
{
    public bool Enabled { get; set; }
    /// <summary>The policy of rooms without an <c>m.room.retention</c> state event.</summary>
    public RetentionPolicyOptions DefaultPolicy { get; set; } = new();
    /// <summary>A room's <c>max_lifetime</c> is raised to this when shorter.</summary>
    public Duration? AllowedLifetimeMin { get; set; }
    /// <summary>A room's <c>max_lifetime</c> is lowered to this when longer.</summary>
    public Duration? AllowedLifetimeMax { get; set; }
    /// <summary>Purge jobs, each for the rooms whose <c>max_lifetime</c> falls in its range; none configured means one daily job for all rooms.</summary>
    public List<RetentionPurgeJobOptions> PurgeJobs { get; set; } = [];

    public IReadOnlyList<RetentionPurgeJobOptions> EffectivePurgeJobs =>
        PurgeJobs.Count > 0 ? PurgeJobs : [new RetentionPurgeJobOptions()];
}

public sealed class RetentionPolicyOptions
{
    public Duration? MinLifetime { get; set; }
    public Duration? MaxLifetime { get; set; }
}

public sealed class RetentionPurgeJobOptions
{
    public Duration Interval { get; set; } = new(TimeSpan.FromDays(1));
    /// <summary>The job takes rooms whose <c>max_lifetime</c> is longer than this (none: no lower bound)...</summary>
    public Duration? ShortestMaxLifetime { get; set; }
    /// <summary>...and at most this (none: no upper bound).</summary>
    public Duration? LongestMaxLifetime { get; set; }
}
