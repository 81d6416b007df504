using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// State resolution v1 (room version 1), as its room version page gives it: the union of the states without their
/// conflicts, then the conflicted power levels, join rules and memberships in turn, each from the oldest event
/// (smallest depth, then greatest SHA-1 of the event ID) on for as long as the next is allowed, and every other
/// conflicted key the newest event allowed. Where the page leaves room, the choices are Synapse's, so that rooms
/// of this version resolve as they always have: a key's candidates are checked against the state as it stood when
/// its kind's turn began, and a key none of whose events is allowed keeps the oldest.
/// </summary>
public static class StateResolutionV1
{
    private static readonly string[] AuthTypesInTurn = [EventTypes.PowerLevels, EventTypes.JoinRules, EventTypes.Member];

    public static async Task<IReadOnlyDictionary<StateEventKey, EventId>> ResolveAsync(
        IReadOnlyList<IReadOnlyDictionary<StateEventKey, EventId>> states, ResolutionEvents events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(events);
        var split = ConflictSplit.OfPresent(states);
        var resolved = new Dictionary<StateEventKey, EventId>(split.Unconflicted);
        var candidates = new Dictionary<StateEventKey, List<Pdu>>();
        foreach ((StateEventKey key, IReadOnlySet<EventId> ids) in split.Conflicted)
        {
            List<Pdu> known = await events.FindAllAsync(ids, ct);
            if (known.Count == 1)
            {
                resolved[key] = known[0].EventId;
            }
            else if (known.Count > 1)
            {
                candidates[key] = known;
            }
        }

        var authState = new AuthStateMap(await events.FindAllAsync(resolved.Values, ct));
        foreach (string type in AuthTypesInTurn)
        {
            var winners = candidates.Where(c => c.Key.Type == type)
                .Select(c => ResolveAuthKey(c.Value, authState)).ToList();
            foreach (Pdu winner in winners)
            {
                authState.Set(winner);
                resolved[StateMap.KeyOf(winner)] = winner.EventId;
            }
        }

        foreach ((StateEventKey key, List<Pdu> contenders) in candidates.Where(c => !AuthTypesInTurn.Contains(c.Key.Type)))
        {
            var newestFirst = contenders.OrderByDescending(e => e.Depth).ThenBy(Sha1Hex, StringComparer.Ordinal).ToList();
            resolved[key] = (newestFirst.FirstOrDefault(e => Allowed(e, authState)) ?? newestFirst[^1]).EventId;
        }

        return resolved;
    }

    // The oldest is taken without a check; each next one is checked with the one before it in the state.
    private static Pdu ResolveAuthKey(List<Pdu> candidates, AuthStateMap stateAtTurn)
    {
        var oldestFirst = candidates.OrderBy(e => e.Depth).ThenByDescending(Sha1Hex, StringComparer.Ordinal).ToList();
        var state = new AuthStateMap(stateAtTurn.Events);
        Pdu kept = oldestFirst[0];
        foreach (Pdu next in oldestFirst.Skip(1))
        {
            state.Set(kept);
            if (!Allowed(next, state))
            {
                break;
            }

            kept = next;
        }

        return kept;
    }

    private static bool Allowed(Pdu ev, IAuthState state) => EventAuthRules.Check(ev.RoomVersion, ev, state).IsAllowed;

    [SuppressMessage("Security", "CA5350", Justification = "Room version 1 orders events by the SHA-1 of their IDs: an order, not a protection.")]
    private static string Sha1Hex(Pdu ev) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(ev.EventId.ToString())));
}
