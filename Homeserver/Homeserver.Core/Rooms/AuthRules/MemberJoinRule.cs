using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>Auth rule 4.3 (v12: 5.3): <c>m.room.member</c> with membership <c>join</c>.</summary>
internal static class MemberJoinRule
{
    private const string Rule = EventTypes.Member;

    public static AuthResult Check(RoomVersion version, Pdu ev, string target, IAuthState state, Pdu create, PowerLevels levels)
    {
        // 4.3.1: the creator's own first join, straight after the create event. v12 counts only the create
        // event's sender here, not additional_creators, as the rule says.
        IReadOnlyList<EventId> prevEvents = ev.PrevEvents;
        if (prevEvents.Count == 1 && prevEvents[0] == create.EventId && RoomCreators.Creator(version, create) == target)
        {
            return AuthResult.Allowed;
        }

        // 4.3.2 and 4.3.3.
        string sender = ev.Sender.ToString();
        if (sender != target)
        {
            return AuthResult.Denied($"{Rule}: a user can only join for themselves");
        }

        string membership = Membership.Of(state, sender);
        if (membership == Membership.Ban)
        {
            return AuthResult.Denied($"{Rule}: sender is banned");
        }

        bool invitedOrJoined = membership is Membership.Invite or Membership.Join;
        switch (JoinRules.Read(version, state))
        {
            // 4.3.4.
            case JoinRule.Invite or JoinRule.Knock:
                return invitedOrJoined ? AuthResult.Allowed : AuthResult.Denied($"{Rule}: the join rule needs an invite");

            // 4.3.5 (v10 added knock_restricted).
            case JoinRule.Restricted or JoinRule.KnockRestricted:
                return invitedOrJoined ? AuthResult.Allowed : CheckAuthorisedJoin(ev, state, levels);

            // 4.3.6.
            case JoinRule.Public:
                return AuthResult.Allowed;

            // 4.3.7: private, unknown, or not supported by this version.
            default:
                return AuthResult.Denied($"{Rule}: the join rule does not allow joining");
        }
    }

    // 4.3.5.2: a resident user able to invite vouches for the join. Whether the joiner satisfies the allow
    // conditions is the vouching server's check at make_join/send_join; the rules see only the voucher.
    private static AuthResult CheckAuthorisedJoin(Pdu ev, IAuthState state, PowerLevels levels)
    {
        if (!PduReader.TryGetString(ev.Content[AuthEventSelection.JoinAuthorisedViaUsersServerKey], out string? authoriser))
        {
            return AuthResult.Denied($"{Rule}: a restricted join needs join_authorised_via_users_server");
        }

        if (Membership.Of(state, authoriser) != Membership.Join)
        {
            return AuthResult.Denied($"{Rule}: join_authorised_via_users_server is not a joined member");
        }

        return levels.GetUserLevel(authoriser) >= levels.Invite
            ? AuthResult.Allowed
            : AuthResult.Denied($"{Rule}: join_authorised_via_users_server cannot invite");
    }
}
