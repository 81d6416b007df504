using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.Creation;

/// <summary>
/// Builds every event a new room starts with in memory, in the order creation sends them, and runs the
/// version's authorisation rules on each against the state the ones before it make. Creation runs this
/// before writing anything, so a request whose events would be refused part-way (a power-level override
/// the rules reject, initial state the creator may not send, an invitee already joined) leaves no room
/// behind: the spec's 400 <c>M_INVALID_ROOM_STATE</c>. Malformed or oversized events fail here with the
/// builder's own error.
/// </summary>
public static class RoomCreationDryRun
{
    public static void Check(RoomVersion version, UserId creator, JsonObject createContent,
        IReadOnlyList<InitialStateEvent> initialState, IReadOnlyList<UserId> invitees, SigningKey key, long ts)
    {
        var sender = creator;
        var create = new EventBuilder
        {
            RoomVersion = version, Type = EventTypes.Create, Sender = sender, StateKey = "", Content = createContent, Depth = 1, OriginServerTs = ts,
            RoomId = version.RoomIdIsCreateEventId ? null : RoomId.Create("dryrun", sender.ServerName),
        }.Build(key);
        Authorise(version, create, new AuthStateMap(), "m.room.create");
        var state = new AuthStateMap([create]);
        var last = create;

        void Send(string type, string stateKey, JsonObject content, string what)
        {
            if (type == EventTypes.Create)
                throw Invalid($"{what} is a second create event");
            var pdu = new EventBuilder
            {
                RoomVersion = version, Type = type, Sender = sender, RoomId = create.RoomId, StateKey = stateKey, Content = content,
                PrevEvents = [last.EventId], ReferenceHashes = ReferenceHasher.ByEventId([last]), Depth = last.Depth + 1, OriginServerTs = ts,
            }.Build(key);
            Authorise(version, pdu, state, what);
            state.Set(pdu);
            last = pdu;
        }

        Send(EventTypes.Member, creator.ToString(), new JsonObject { ["membership"] = "join" }, "the creator's join");
        foreach (var s in initialState)
            Send(s.Type, s.StateKey, s.Content, $"state event {s.Type} '{s.StateKey}'");
        foreach (var invitee in invitees)
            Send(EventTypes.Member, invitee.ToString(), new JsonObject { ["membership"] = "invite" }, $"the invite of {invitee}");
    }

    private static void Authorise(RoomVersion version, Pdu pdu, AuthStateMap state, string what)
    {
        var verdict = EventAuthRules.Check(version, pdu, state);
        if (!verdict.IsAllowed)
            throw Invalid($"{what} would be refused ({verdict.Reason})");
    }

    private static MatrixException Invalid(string why) =>
        new(400, ErrorCodes.InvalidRoomState, "The room's initial state is invalid: " + why);
}
