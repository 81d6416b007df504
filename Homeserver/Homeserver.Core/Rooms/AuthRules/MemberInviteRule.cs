using System.Text.Json.Nodes;
using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>Auth rule 4.4 (v12: 5.4): <c>m.room.member</c> with membership <c>invite</c>.</summary>
internal static class MemberInviteRule
{
    private const string Rule = EventTypes.Member;

    public static AuthResult Check(Pdu ev, string target, IAuthState state, PowerLevels levels)
    {
        // 4.4.1: redeeming a third-party invite decides the event on its own.
        if (ev.Content.TryGetPropertyValue(AuthEventSelection.ThirdPartyInviteKey, out JsonNode? thirdPartyInvite))
        {
            return ThirdPartyInviteRule.Check(ev, target, state, thirdPartyInvite);
        }

        // 4.4.2 to 4.4.5.
        if (Membership.Of(state, ev.Sender.ToString()) != Membership.Join)
        {
            return AuthResult.Denied($"{Rule}: the sender is not joined");
        }

        if (Membership.Of(state, target) is Membership.Join or Membership.Ban)
        {
            return AuthResult.Denied($"{Rule}: the invited user is already joined or is banned");
        }

        return levels.GetUserLevel(ev.Sender) >= levels.Invite
            ? AuthResult.Allowed
            : AuthResult.Denied($"{Rule}: the sender's level is below the invite level");
    }
}
