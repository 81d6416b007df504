using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// The states to resolve divided into the unconflicted state map (a key every state gives the same event) and the
/// conflicted state set (the events of every other key).
/// </summary>
public sealed record ConflictSplit(
    IReadOnlyDictionary<StateEventKey, EventId> Unconflicted,
    IReadOnlyDictionary<StateEventKey, IReadOnlySet<EventId>> Conflicted)
{
    /// <summary>The conflicted state set: every event of every conflicted key.</summary>
    public IReadOnlySet<EventId> ConflictedEvents => Conflicted.Values.SelectMany(ids => ids).ToHashSet();

    /// <summary>
    /// State resolution v2: a key is unconflicted only when every state has it, with the same event; a key that
    /// some state lacks is conflicted even if the others agree.
    /// </summary>
    public static ConflictSplit Of(IReadOnlyList<IReadOnlyDictionary<StateEventKey, EventId>> states) => Split(states, absentConflicts: true);

    /// <summary>
    /// State resolution v1: only states that give a key different events conflict; a key some states lack is
    /// taken from those that have it.
    /// </summary>
    public static ConflictSplit OfPresent(IReadOnlyList<IReadOnlyDictionary<StateEventKey, EventId>> states) => Split(states, absentConflicts: false);

    private static ConflictSplit Split(IReadOnlyList<IReadOnlyDictionary<StateEventKey, EventId>> states, bool absentConflicts)
    {
        ArgumentNullException.ThrowIfNull(states);
        var unconflicted = new Dictionary<StateEventKey, EventId>();
        var conflicted = new Dictionary<StateEventKey, IReadOnlySet<EventId>>();
        foreach (StateEventKey key in states.SelectMany(s => s.Keys).Distinct())
        {
            var ids = states.Where(s => s.ContainsKey(key)).Select(s => s[key]).ToHashSet();
            if (ids.Count == 1 && (!absentConflicts || states.All(s => s.ContainsKey(key))))
            {
                unconflicted[key] = ids.First();
            }
            else
            {
                conflicted[key] = ids;
            }
        }

        return new ConflictSplit(unconflicted, conflicted);
    }
}
