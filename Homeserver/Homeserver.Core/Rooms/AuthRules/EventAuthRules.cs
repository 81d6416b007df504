using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// The authorisation rules of room versions 1 to 12 (spec "Room Versions", each version's "Authorisation
/// rules"), applied in the spec's order, each version's differences keyed on its <see cref="RoomVersion"/>
/// switches. Pure: the caller supplies the state, the record of rejected events and the signature checks, and
/// decides what a denial means (rejection or soft failure). Numbers in comments are room versions 6–11's;
/// versions 1–5 have an extra rule 4 (<c>m.room.aliases</c>) and version 12 an extra rule 2, so from there
/// their numbers are one higher.
/// </summary>
public static class EventAuthRules
{
    public const string FederateKey = "m.federate";

    /// <summary>
    /// Checks <paramref name="ev"/> against <paramref name="authState"/>: the map built from its auth events
    /// (receipt step 4, see <see cref="CheckWithAuthEvents"/>), the state before it (step 5) or the current
    /// state (step 6). In room version 12 the state must hold the create event even though it is never
    /// among <c>auth_events</c>. The checks on the <c>auth_events</c> list itself are <see cref="AuthEventsRule"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="ev"/> was not read as a <paramref name="version"/> event.</exception>
    public static AuthResult Check(RoomVersion version, Pdu ev, IAuthState authState)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(ev);
        ArgumentNullException.ThrowIfNull(authState);
        if (ev.RoomVersion != version)
        {
            throw new ArgumentException($"{ev} is a room version {ev.RoomVersion.Id} event, not {version.Id}.", nameof(ev));
        }

        // Rule 1.
        if (ev.Type == EventTypes.Create)
        {
            return CreateRule.Check(version, ev);
        }

        // v12 rule 2, and v10/v11 rules 2.4 and 2.5 as far as the create event goes: the state holds this
        // room's create event. (Whether that event was itself accepted is the caller's record to consult.)
        if (authState.Get(EventTypes.Create, "") is not { } create)
        {
            return AuthResult.Denied($"{ev.Type}: there is no m.room.create event");
        }

        if (!IsCreateEventOf(version, create, ev.RoomId))
        {
            return AuthResult.Denied($"{ev.Type}: the room ID is not that of the room's m.room.create event");
        }

        // Rule 3: a room created with m.federate false stays on the creator's server.
        if (create.Content[FederateKey] is JsonValue federate && federate.GetValueKind() == JsonValueKind.False
            && ev.Sender.ServerName != create.Sender.ServerName)
        {
            return AuthResult.Denied($"{ev.Type}: the room does not federate and the sender is on another server");
        }

        // v1–v5 rule 4; from here their numbers are one higher than v6–v11's.
        if (version.SpecialCasesAliases && ev.Type == EventTypes.Aliases)
        {
            return AliasesRule.Check(ev);
        }

        PowerLevels levels = PowerLevels.From(version, create, authState.Get(EventTypes.PowerLevels, ""));

        // Rule 4.
        if (ev.Type == EventTypes.Member)
        {
            return MemberRule.Check(version, ev, authState, create, levels);
        }

        // Rule 5.
        if (GeneralRule.CheckJoined(ev, authState) is { IsAllowed: false } notJoined)
        {
            return notJoined;
        }

        // Rule 6.
        if (ev.Type == EventTypes.ThirdPartyInvite)
        {
            return ThirdPartyInviteRule.CheckInviteEvent(ev, levels);
        }

        // Rules 7 and 8.
        if (GeneralRule.CheckLevelAndStateKey(ev, levels) is { IsAllowed: false } tooLow)
        {
            return tooLow;
        }

        // Rule 9 keys on the type alone, as written: even a power levels event that is not the room's
        // (another state_key, or no state_key) must be well formed and within the sender's level.
        if (ev.Type == EventTypes.PowerLevels)
        {
            return PowerLevelsRule.Check(version, ev, authState, levels);
        }

        // v1–v2 rule 11.
        return version.RedactionsInAuthRules && ev.Type == EventTypes.Redaction
            ? RedactionRule.Check(ev, levels)
            : AuthResult.Allowed;
    }

    /// <summary>
    /// Receipt step 4 in one call: <see cref="AuthEventsRule"/> on <paramref name="authEvents"/>, then
    /// <see cref="Check"/> against the state they form.
    /// </summary>
    /// <param name="create">
    /// Room version 12 only: the room's create event, found through the room ID (rule 2 checks the match).
    /// Ignored before v12, where it must be among <paramref name="authEvents"/>.
    /// </param>
    public static AuthResult CheckWithAuthEvents(
        RoomVersion version, Pdu ev, IReadOnlyCollection<Pdu> authEvents, Func<Pdu, bool> isRejected, Pdu? create = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(ev);
        if (ev.Type == EventTypes.Create)
        {
            return Check(version, ev, new AuthStateMap());
        }

        if (AuthEventsRule.Check(ev, authEvents, isRejected) is { IsAllowed: false } badAuthEvents)
        {
            return badAuthEvents;
        }

        var state = new AuthStateMap(authEvents);
        if (version.RoomIdIsCreateEventId && create is not null)
        {
            // v12 rule 2 asks for an accepted create event.
            if (isRejected(create))
            {
                return AuthResult.Denied($"{ev.Type}: the room's m.room.create event was rejected");
            }

            state.Set(create);
        }

        return Check(version, ev, state);
    }

    // v12 (MSC4291): the room ID is the create event's ID with '!' for '$'; before, the create event names it.
    private static bool IsCreateEventOf(RoomVersion version, Pdu create, RoomId roomId) =>
        version.RoomIdIsCreateEventId
            ? create.EventId.ServerName is null && RoomId.FromCreateEventId(create.EventId) == roomId
            : create.RoomId == roomId;
}
