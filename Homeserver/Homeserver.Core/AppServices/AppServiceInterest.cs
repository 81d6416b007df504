using Homeserver.Core.Events;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.AppServices;

/// <summary>
/// Which events an application service is pushed (spec "Pushing events"): those in a room its room namespace names
/// or one of whose aliases its alias namespace names, sent by or (for a membership) about a user it claims, and every
/// event of a room where a user it claims is joined. Membership and aliases are read once per room per batch
/// (<see cref="Verdicts"/>). Ephemeral data follows the same rooms; a user's presence and device changes interest the
/// service when it claims the user or the user is joined to a room of interest, as in Synapse.
/// </summary>
public sealed class AppServiceInterest(AppServiceRegistry registry, CurrentStateStore current, RoomAliasStore aliases)
{
    /// <summary>Rooms already judged during one batch, so each is read once.</summary>
    public sealed class Verdicts
    {
        internal Dictionary<string, bool> Rooms { get; } = new(StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<EventRow>> FilterAsync(AppServiceRegistration service, IReadOnlyList<EventRow> events, Verdicts verdicts, CancellationToken ct)
    {
        var result = new List<EventRow>();
        foreach (var e in events)
            if (registry.Claims(service, e.Sender) || (e.EventType == EventTypes.Member && e.StateKey is { } target && registry.Claims(service, target))
                || await IsInterestedInRoomAsync(service, e.RoomId, verdicts, ct))
                result.Add(e);
        return result;
    }

    public async Task<bool> IsInterestedInRoomAsync(AppServiceRegistration service, string roomId, Verdicts verdicts, CancellationToken ct)
    {
        if (!verdicts.Rooms.TryGetValue(roomId, out var verdict))
            verdicts.Rooms[roomId] = verdict = await JudgeRoomAsync(service, roomId, ct);
        return verdict;
    }

    public async Task<bool> IsInterestedInUserAsync(AppServiceRegistration service, string userId, Verdicts verdicts, CancellationToken ct)
    {
        if (registry.Claims(service, userId))
            return true;
        foreach (var roomId in await current.RoomsOfUserAsync(userId, "join", ct))
            if (await IsInterestedInRoomAsync(service, roomId, verdicts, ct))
                return true;
        return false;
    }

    private async Task<bool> JudgeRoomAsync(AppServiceRegistration service, string roomId, CancellationToken ct)
    {
        if (service.Rooms.Any(n => n.Matches(roomId)))
            return true;
        if (service.Aliases.Count > 0 && (await aliases.ForRoomAsync(roomId, ct)).Any(a => service.Aliases.Any(n => n.Matches(a))))
            return true;
        return (await current.MembersAsync(roomId, ct)).Any(m => m.Membership == "join" && registry.Claims(service, m.UserId));
    }
}
