using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Memberships;

/// <summary>
/// Restricted rooms (join rule <c>restricted</c> or <c>knock_restricted</c>) admit members of the rooms their
/// <c>allow</c> list names. The joining event must say which resident user vouches for that: one of our joined
/// users with the power to invite (spec "Restricted rooms"). Returns null when the user qualifies through none.
/// </summary>
public sealed class RestrictedJoinAuthoriser(CurrentStateStore current, StateService state)
{
    public async Task<string?> FindAuthoriserAsync(RoomId roomId, RoomVersion version, UserId userId, CancellationToken ct)
    {
        var now = await current.GetStateAsync(roomId.ToString(), ct);
        var joinRules = await state.GetStateEventAsync(now, EventTypes.JoinRules, version, ct);
        if (joinRules is null || JoinRules.Parse(version, JsonFields.String(joinRules.Content, "join_rule")) is not (JoinRule.Restricted or JoinRule.KnockRestricted))
            return null;
        var qualifies = false;
        foreach (var allowed in JoinRules.AllowedRoomIds(joinRules))
            qualifies |= await current.MembershipAsync(allowed.ToString(), userId.ToString(), ct) == "join";
        if (!qualifies)
            return null;
        var levels = await state.PowerLevelsAsync(now, version, ct);
        var members = await current.MembersAsync(roomId.ToString(), ct);
        return members
            .Where(m => m.Membership == "join" && levels.GetUserLevel(m.UserId) >= levels.Invite)
            .OrderByDescending(m => levels.GetUserLevel(m.UserId))
            .Select(m => m.UserId)
            .FirstOrDefault();
    }
}
