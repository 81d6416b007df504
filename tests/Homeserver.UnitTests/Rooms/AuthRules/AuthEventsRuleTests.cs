using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>
/// Rule 2 of v10/v11 (rule 3 of v12), the checks on the auth_events list, and v12 rule 2, the room ID
/// naming the create event. Each case goes through <see cref="EventAuthRules.CheckWithAuthEvents"/>.
/// </summary>
public sealed class AuthEventsRuleTests
{
    public static TheoryData<string> Versions => TestRoom.AllVersions;

    private static readonly JsonObject Hello = new() { ["body"] = "hello" };

    // The auth events as the receiving server would load them, by ID, from everything the room has seen.
    private static AuthResult CheckAgainstAuthEvents(TestRoom room, Pdu ev, IEnumerable<Pdu> known, Func<Pdu, bool>? isRejected = null)
    {
        Dictionary<EventId, Pdu> byId = known.DistinctBy(e => e.EventId).ToDictionary(e => e.EventId);
        List<Pdu> authEvents = ev.AuthEvents.Distinct().Where(byId.ContainsKey).Select(id => byId[id]).ToList();
        return EventAuthRules.CheckWithAuthEvents(room.Version, ev, authEvents, isRejected ?? (_ => false), room.Create);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void AuthEvents_AsSelected_Allowed(string id)
    {
        using TestRoom room = TestRoom.Standard(id);

        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello);

        AuthAssert.Allowed(CheckAgainstAuthEvents(room, message, room.State.Events));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void AuthEvents_TwoForOneStateKey_Denied(string id)
    {
        // Rule 2.1 (v12 3.1).
        using TestRoom room = TestRoom.Standard(id);
        Pdu oldLevels = room.State.Get(EventTypes.PowerLevels, "")!;
        Pdu newLevels = room.SetPowerLevels((JsonObject)oldLevels.Content.DeepClone());
        List<EventId> authEvents = [.. room.Build("m.room.message", TestRoom.Alice, null, Hello).AuthEvents, oldLevels.EventId];

        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello, authEvents: authEvents);

        Assert.Contains(newLevels.EventId, message.AuthEvents);
        AuthAssert.Denied(CheckAgainstAuthEvents(room, message, [.. room.State.Events, oldLevels]), "auth_events: more than one entry for (m.room.power_levels");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void AuthEvents_SameEventListedTwice_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        IReadOnlyList<EventId> selected = room.Build("m.room.message", TestRoom.Alice, null, Hello).AuthEvents;

        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello, authEvents: [.. selected, selected[0]]);

        AuthAssert.Denied(CheckAgainstAuthEvents(room, message, room.State.Events), "more than one entry");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void AuthEvents_EntryTheSelectionDoesNotPick_Denied(string id)
    {
        // Rule 2.2 (v12 3.2): join rules are selected for memberships only.
        using TestRoom room = TestRoom.Standard(id);
        Pdu joinRules = room.State.Get(EventTypes.JoinRules, "")!;
        IReadOnlyList<EventId> selected = room.Build("m.room.message", TestRoom.Alice, null, Hello).AuthEvents;

        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello, authEvents: [.. selected, joinRules.EventId]);

        AuthAssert.Denied(CheckAgainstAuthEvents(room, message, room.State.Events), "is not one the auth events selection picks");
    }

    [Fact]
    public void AuthEvents_V12CitesCreateEvent_Denied()
    {
        // v12 3.2: "In this room version, m.room.create MUST NOT be selected."
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        IReadOnlyList<EventId> selected = room.Build("m.room.message", TestRoom.Alice, null, Hello).AuthEvents;

        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello, authEvents: [room.Create.EventId, .. selected]);

        AuthAssert.Denied(CheckAgainstAuthEvents(room, message, room.State.Events), $"{room.Create} is not one the auth events selection picks");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void AuthEvents_EntryWasRejected_Denied(string id)
    {
        // Rule 2.3 (v12 3.3).
        using TestRoom room = TestRoom.Standard(id);
        Pdu levels = room.State.Get(EventTypes.PowerLevels, "")!;

        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello);

        AuthAssert.Denied(CheckAgainstAuthEvents(room, message, room.State.Events, e => e.EventId == levels.EventId), $"{levels} was rejected");
    }

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    public void AuthEvents_WithoutCreateEvent_Denied(string id)
    {
        // v10/v11 rule 2.4.
        using TestRoom room = TestRoom.Standard(id);
        IReadOnlyList<EventId> selected = room.Build("m.room.message", TestRoom.Alice, null, Hello).AuthEvents;

        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello, authEvents: selected.Where(e => e != room.Create.EventId).ToList());

        AuthAssert.Denied(CheckAgainstAuthEvents(room, message, room.State.Events), "auth_events: there is no m.room.create event");
    }

    [Fact]
    public void AuthEvents_V12WithoutCreateEvent_Allowed()
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);

        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello);

        Assert.DoesNotContain(room.Create.EventId, message.AuthEvents);
        AuthAssert.Allowed(CheckAgainstAuthEvents(room, message, room.State.Events));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void AuthEvents_EntryFromAnotherRoom_Denied(string id)
    {
        // Rule 2.5 (v12 3.5), checklist row 39: Alice's join in another room cannot vouch for her here.
        using TestRoom room = TestRoom.Standard(id);
        using TestRoom other = TestRoom.New(room.Version, roomOpaque: "other");
        other.Join(TestRoom.Creator);
        other.SetJoinRule("public");
        Pdu foreignJoin = other.Join(TestRoom.Alice);
        List<EventId> authEvents = room.Build("m.room.message", TestRoom.Alice, null, Hello).AuthEvents
            .Where(e => e != room.State.Get(EventTypes.Member, TestRoom.Alice)!.EventId).Append(foreignJoin.EventId).ToList();

        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello, authEvents: authEvents, foreign: [foreignJoin]);

        Assert.NotEqual(room.RoomId, other.RoomId);
        AuthAssert.Denied(CheckAgainstAuthEvents(room, message, [.. room.State.Events, foreignJoin]), $"belongs to room {other.RoomId}");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void AuthEvents_OneNotAvailable_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        Pdu levels = room.State.Get(EventTypes.PowerLevels, "")!;

        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello);

        AuthAssert.Denied(CheckAgainstAuthEvents(room, message, room.State.Events.Where(e => e != levels)), $"{levels.EventId} is not available");
    }

    [Fact]
    public void AuthEvents_SuppliedEventNotListed_Throws()
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V11);
        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello);

        Assert.Throws<ArgumentException>(() => AuthEventsRule.Check(message, [.. room.State.Events], _ => false));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void AuthEvents_CreateEvent_NotConsulted(string id)
    {
        // Rule 1 decides a create event before rule 2 is reached.
        RoomVersion version = TestRoom.VersionOf(id);
        Pdu create = TestRoom.BuildCreate(version, TestRoom.CreateContent(version));

        AuthAssert.Allowed(EventAuthRules.CheckWithAuthEvents(version, create, [], _ => false));
    }

    [Fact]
    public void RoomId_V12NotTheCreateEventsId_Denied()
    {
        // v12 rule 2: the state's create event must be the one the room ID names.
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        using TestRoom other = TestRoom.New(RoomVersions.V12, roomOpaque: "other");
        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello);
        var state = new AuthStateMap(room.State.Events);
        state.Set(other.Create);

        AuthAssert.Denied(EventAuthRules.Check(RoomVersions.V12, message, state), "the room ID is not that of the room's m.room.create event");
    }

    [Fact]
    public void RoomId_V12CreateEventNotSupplied_Denied()
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello);
        List<Pdu> authEvents = room.State.Events.Where(e => message.AuthEvents.Contains(e.EventId)).ToList();

        AuthAssert.Denied(EventAuthRules.CheckWithAuthEvents(RoomVersions.V12, message, authEvents, _ => false), "there is no m.room.create event");
        AuthAssert.Allowed(EventAuthRules.CheckWithAuthEvents(RoomVersions.V12, message, authEvents, _ => false, room.Create));
    }

    [Fact]
    public void RoomId_V12CreateEventRejected_Denied()
    {
        // v12 rule 2: "an accepted (not rejected) m.room.create event".
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        Pdu message = room.Build("m.room.message", TestRoom.Alice, null, Hello);
        List<Pdu> authEvents = room.State.Events.Where(e => message.AuthEvents.Contains(e.EventId)).ToList();

        AuthResult result = EventAuthRules.CheckWithAuthEvents(RoomVersions.V12, message, authEvents, e => e.EventId == room.Create.EventId, room.Create);

        AuthAssert.Denied(result, "the room's m.room.create event was rejected");
    }
}
