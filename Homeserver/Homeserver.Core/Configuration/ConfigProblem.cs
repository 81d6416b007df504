namespace Homeserver.Core.Configuration;

/// <summary>One invalid config value, named by its dotted YAML key (e.g. <c>database.connection_string</c>).</summary>
public sealed record ConfigProblem(string Key, string Reason)
{
    public override string ToString() => $"{Key}: {Reason}";
}
