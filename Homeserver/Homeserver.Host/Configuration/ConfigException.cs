using Homeserver.Core.Configuration;

namespace Homeserver.Host.Configuration;

/// <summary>The config cannot be used; the message lists each bad key and why.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigProblem> problems)
    : Exception("invalid configuration:\n" + string.Join("\n", problems.Select(p => "  " + p)))
{
    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;
}
