using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.SlidingSync;

/// <summary>
/// The state a room's entry carries: <c>[event_type, state_key]</c> pairs, where <c>*</c> stands for any type or key,
/// the state key <c>$ME</c> for the requester, and <c>$LAZY</c> (members only) for the senders of the timeline sent.
/// </summary>
public sealed class RequiredState(IReadOnlyList<(string Type, string StateKey)> pairs)
{
    public const string Wildcard = "*";
    public const string Me = "$ME";
    public const string Lazy = "$LAZY";

    public static RequiredState None { get; } = new([]);

    public IReadOnlyList<(string Type, string StateKey)> Pairs { get; } = pairs;

    /// <summary>Whether member events are wanted only for the timeline's senders (and the pairs that name a member otherwise).</summary>
    public bool LazyMembers => Pairs.Any(p => p.Type == EventTypes.Member && p.StateKey == Lazy);

    /// <summary>Whether the state of <paramref name="key"/> is wanted; <paramref name="lazyMembers"/> are the users <c>$LAZY</c> stands for.</summary>
    public bool Includes(StateEventKey key, string userId, IReadOnlySet<string> lazyMembers) =>
        Pairs.Any(p => (p.Type == Wildcard || p.Type == key.Type) && p.StateKey switch
        {
            Wildcard => true,
            Me => key.StateKey == userId,
            Lazy => key.Type == EventTypes.Member && lazyMembers.Contains(key.StateKey),
            var k => k == key.StateKey,
        });

    /// <summary>What two lists (or a list and a subscription) showing the same room ask for together.</summary>
    public RequiredState Union(RequiredState other) => new([.. Pairs.Union(other.Pairs)]);

    /// <summary>The pairs in a fixed order, to tell whether a room's configuration changed between requests.</summary>
    public string Canonical() => string.Join("\n", Pairs.Distinct().OrderBy(p => p.Type, StringComparer.Ordinal)
        .ThenBy(p => p.StateKey, StringComparer.Ordinal).Select(p => p.Type + "\t" + p.StateKey));
}
