using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// Auth rule 4 of room versions 10 and 11 (rule 5 of version 12): <c>m.room.member</c>. Joins and invites
/// have their own files; leave (including kicks and unbans), ban and knock are here.
/// </summary>
internal static class MemberRule
{
    private const string Rule = EventTypes.Member;

    public static AuthResult Check(RoomVersion version, Pdu ev, IAuthState state, Pdu create, PowerLevels levels)
    {
        // 4.1.
        if (ev.StateKey is not { } target || !ev.Content.ContainsKey(Membership.Key))
        {
            return AuthResult.Denied($"{Rule}: no state_key or no content.membership");
        }

        // 4.2 (v8+, with restricted joins). Only the signature's presence can be seen here; that it verifies
        // is checked with the other signatures on receipt (step 2), for which SigningServers names this server.
        if (version.SupportsRestrictedJoinRule
            && ev.Content.TryGetPropertyValue(AuthEventSelection.JoinAuthorisedViaUsersServerKey, out JsonNode? authoriser)
            && !(PduReader.TryGetString(authoriser, out string? authoriserId)
                && UserId.TryParse(authoriserId, out UserId? authoriserUser)
                && ev.Signatures[authoriserUser.Value.ServerName] is JsonObject { Count: > 0 }))
        {
            return AuthResult.Denied($"{Rule}: not signed by the server of join_authorised_via_users_server");
        }

        string sender = ev.Sender.ToString();
        return Membership.Read(ev) switch
        {
            Membership.Join => MemberJoinRule.Check(version, ev, target, state, create, levels),
            Membership.Invite => MemberInviteRule.Check(ev, target, state, levels),
            Membership.Leave => CheckLeave(version, sender, target, state, levels),
            Membership.Ban => CheckBan(sender, target, state, levels),
            Membership.Knock when version.SupportsKnocking => CheckKnock(version, sender, target, state),
            _ => AuthResult.Denied($"{Rule}: unknown membership"), // 4.8
        };
    }

    // 4.5: leaving, rejecting an invite, retracting a knock, kicking, unbanning.
    private static AuthResult CheckLeave(RoomVersion version, string sender, string target, IAuthState state, PowerLevels levels)
    {
        string targetMembership = Membership.Of(state, target);
        if (sender == target)
        {
            bool canLeave = targetMembership is Membership.Invite or Membership.Join
                || (targetMembership == Membership.Knock && version.SupportsKnocking);
            return canLeave ? AuthResult.Allowed : AuthResult.Denied($"{Rule}: cannot leave from membership '{targetMembership}'");
        }

        if (Membership.Of(state, sender) != Membership.Join)
        {
            return AuthResult.Denied($"{Rule}: the sender is not joined");
        }

        long senderLevel = levels.GetUserLevel(sender);
        if (targetMembership == Membership.Ban && senderLevel < levels.Ban)
        {
            return AuthResult.Denied($"{Rule}: the sender's level is below the ban level, needed to unban");
        }

        // A v12 creator is infinite, so not even an admin at the kick level outranks them.
        return senderLevel >= levels.Kick && levels.GetUserLevel(target) < senderLevel
            ? AuthResult.Allowed
            : AuthResult.Denied($"{Rule}: the sender needs the kick level and a level above the target's");
    }

    // 4.6.
    private static AuthResult CheckBan(string sender, string target, IAuthState state, PowerLevels levels)
    {
        if (Membership.Of(state, sender) != Membership.Join)
        {
            return AuthResult.Denied($"{Rule}: the sender is not joined");
        }

        long senderLevel = levels.GetUserLevel(sender);
        return senderLevel >= levels.Ban && levels.GetUserLevel(target) < senderLevel
            ? AuthResult.Allowed
            : AuthResult.Denied($"{Rule}: the sender needs the ban level and a level above the target's");
    }

    // 4.7.
    private static AuthResult CheckKnock(RoomVersion version, string sender, string target, IAuthState state)
    {
        if (JoinRules.Read(version, state) is not (JoinRule.Knock or JoinRule.KnockRestricted))
        {
            return AuthResult.Denied($"{Rule}: the join rule does not allow knocking");
        }

        if (sender != target)
        {
            return AuthResult.Denied($"{Rule}: a user can only knock for themselves");
        }

        return Membership.Of(state, sender) is Membership.Ban or Membership.Invite or Membership.Join
            ? AuthResult.Denied($"{Rule}: cannot knock while banned, invited or joined")
            : AuthResult.Allowed;
    }
}
