namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>The key of a room state entry: the pair (<c>type</c>, <c>state_key</c>).</summary>
public readonly record struct StateEventKey(string Type, string StateKey)
{
    public override string ToString() => $"({Type}, \"{StateKey}\")";
}
