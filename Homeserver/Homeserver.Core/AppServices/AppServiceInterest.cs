using Homeserver.Core.Events;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.AppServices;

/// <summary>
/// Which events an application service is pushed (spec "Pushing events"): those in a room its room namespace names
/// or one of whose aliases its alias namespace names, sent by or (for a membership) about a user it claims, and every
/// event of a room where a user it claims is joined. Membership and aliases are read once per room per batch.
/// </summary>
public sealed class AppServiceInterest(AppServiceRegistry registry, CurrentStateStore current, RoomAliasStore aliases)
{
    public async Task<IReadOnlyList<EventRow>> FilterAsync(AppServiceRegistration service, IReadOnlyList<EventRow> events, CancellationToken ct)
    {
        var roomVerdicts = new Dictionary<string, bool>(StringComparer.Ordinal);
        var result = new List<EventRow>();
        foreach (var e in events)
        {
            if (registry.Claims(service, e.Sender) || (e.EventType == EventTypes.Member && e.StateKey is { } target && registry.Claims(service, target)))
            {
                result.Add(e);
                continue;
            }
            if (!roomVerdicts.TryGetValue(e.RoomId, out var roomInterest))
                roomVerdicts[e.RoomId] = roomInterest = await IsInterestedInRoomAsync(service, e.RoomId, ct);
            if (roomInterest)
                result.Add(e);
        }
        return result;
    }

    private async Task<bool> IsInterestedInRoomAsync(AppServiceRegistration service, string roomId, CancellationToken ct)
    {
        if (service.Rooms.Any(n => n.Matches(roomId)))
            return true;
        if (service.Aliases.Count > 0 && (await aliases.ForRoomAsync(roomId, ct)).Any(a => service.Aliases.Any(n => n.Matches(a))))
            return true;
        return (await current.MembersAsync(roomId, ct)).Any(m => m.Membership == "join" && registry.Claims(service, m.UserId));
    }
}
