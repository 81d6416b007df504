namespace Homeserver.Core.Health;

/// <summary>What the health check found: nothing wrong, or one line per problem.</summary>
public sealed record HealthReport(IReadOnlyList<string> Problems)
{
    public bool Healthy => Problems.Count == 0;
}
