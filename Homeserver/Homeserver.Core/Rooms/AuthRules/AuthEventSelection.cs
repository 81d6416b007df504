using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// Which state entries are an event's <c>auth_events</c> (server-server API, "Auth events selection"):
/// used to fill them in for a new event, and by <see cref="AuthEventsRule"/> to refuse entries outside them.
/// </summary>
public static class AuthEventSelection
{
    public const string ThirdPartyInviteKey = "third_party_invite";
    public const string JoinAuthorisedViaUsersServerKey = "join_authorised_via_users_server";

    /// <summary>
    /// The (type, state_key) pairs an event with these fields may cite, in a fixed order and without
    /// repeats. Empty for <c>m.room.create</c>, whose <c>auth_events</c> are empty.
    /// </summary>
    public static IReadOnlyList<StateEventKey> Keys(RoomVersion version, string type, UserId sender, string? stateKey, JsonObject content)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(content);
        var keys = new List<StateEventKey>();
        if (type == EventTypes.Create)
        {
            return keys;
        }

        // Room version 12 (MSC4291): the room ID is the create event's ID, so citing it "MUST NOT" happen.
        if (!version.RoomIdIsCreateEventId)
        {
            keys.Add(new StateEventKey(EventTypes.Create, ""));
        }

        keys.Add(new StateEventKey(EventTypes.PowerLevels, ""));
        keys.Add(new StateEventKey(EventTypes.Member, sender.ToString()));
        if (type == EventTypes.Member && stateKey is not null)
        {
            AddMemberKeys(version, stateKey, content, keys);
        }

        return keys.Distinct().ToList();
    }

    public static IReadOnlyList<StateEventKey> Keys(Pdu ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        return Keys(ev.RoomVersion, ev.Type, ev.Sender, ev.StateKey, ev.Content);
    }

    /// <summary>The auth events for a new event: the selected entries that <paramref name="state"/> holds.</summary>
    public static IReadOnlyList<Pdu> Select(RoomVersion version, string type, UserId sender, string? stateKey, JsonObject content, IAuthState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Keys(version, type, sender, stateKey, content)
            .Select(key => state.Get(key.Type, key.StateKey))
            .OfType<Pdu>()
            .ToList();
    }

    private static void AddMemberKeys(RoomVersion version, string target, JsonObject content, List<StateEventKey> keys)
    {
        keys.Add(new StateEventKey(EventTypes.Member, target));
        string? membership = PduReader.TryGetString(content[Membership.Key], out string? value) ? value : null;
        if (membership is Membership.Join or Membership.Invite || (membership == Membership.Knock && version.SupportsKnocking))
        {
            keys.Add(new StateEventKey(EventTypes.JoinRules, ""));
        }

        if (membership == Membership.Invite
            && content[ThirdPartyInviteKey] is JsonObject thirdPartyInvite
            && thirdPartyInvite["signed"] is JsonObject signed
            && PduReader.TryGetString(signed["token"], out string? token))
        {
            keys.Add(new StateEventKey(EventTypes.ThirdPartyInvite, token));
        }

        if (membership == Membership.Join
            && version.SupportsRestrictedJoinRule
            && PduReader.TryGetString(content[JoinAuthorisedViaUsersServerKey], out string? authoriser))
        {
            keys.Add(new StateEventKey(EventTypes.Member, authoriser));
        }
    }
}
