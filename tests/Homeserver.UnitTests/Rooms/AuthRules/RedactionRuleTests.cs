using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>"Handling redactions": the checks made once both events are at hand, after the auth rules allowed the redaction.</summary>
public sealed class RedactionRuleTests
{
    public static TheoryData<string> Versions => TestRoom.AllVersions;

    public static TheoryData<string> VersionsDecidingInAuthRules => TestRoom.VersionsWhere(v => v.RedactionsInAuthRules);

    public static TheoryData<string> VersionsDecidingOnApplying => TestRoom.VersionsWhere(v => !v.RedactionsInAuthRules);

    private static readonly JsonObject Hello = new() { ["body"] = "hello" };

    [Theory]
    [MemberData(nameof(Versions))]
    public void ShouldApply_SenderAtRedactLevel_Applied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.Join(TestRoom.Bob);
        Pdu original = room.Send("m.room.message", TestRoom.Bob, null, Hello);

        Pdu redaction = room.Build(EventTypes.Redaction, TestRoom.Mod, null, [], redacts: original.EventId);

        Assert.True(RedactionRule.ShouldApply(redaction, original, PowerLevels.FromState(room.Version, room.State)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ShouldApply_SameServerBelowRedactLevel_Applied(string id)
    {
        // Condition 2 trusts the original sender's server, even for another of its users.
        using TestRoom room = TestRoom.Standard(id);
        Pdu original = room.Send("m.room.message", TestRoom.Mod, null, Hello);

        Pdu redaction = room.Build(EventTypes.Redaction, TestRoom.Alice, null, [], redacts: original.EventId);

        Assert.True(RedactionRule.ShouldApply(redaction, original, PowerLevels.FromState(room.Version, room.State)));
    }

    [Theory]
    [MemberData(nameof(VersionsDecidingOnApplying))]
    public void ShouldApply_OtherServerBelowRedactLevel_NotApplied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.Join(TestRoom.Bob);
        Pdu original = room.Send("m.room.message", TestRoom.Alice, null, Hello);

        Pdu redaction = room.Build(EventTypes.Redaction, TestRoom.Bob, null, [], redacts: original.EventId);

        Assert.True(room.Check(redaction).IsAllowed);
        Assert.False(RedactionRule.ShouldApply(redaction, original, PowerLevels.FromState(room.Version, room.State)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ShouldApply_RedactsAnotherEvent_NotApplied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        Pdu original = room.Send("m.room.message", TestRoom.Alice, null, Hello);
        Pdu other = room.Send("m.room.message", TestRoom.Alice, null, Hello);

        Pdu redaction = room.Build(EventTypes.Redaction, TestRoom.Admin, null, [], redacts: other.EventId);

        Assert.False(RedactionRule.ShouldApply(redaction, original, PowerLevels.FromState(room.Version, room.State)));
    }

    [Theory]
    [MemberData(nameof(VersionsDecidingInAuthRules))]
    public void Auth_V1RedactionFromAnotherServerBelowRedactLevel_Denied(string id)
    {
        // v1–v2 rule 11: Bob (other.org, level 0) may not redact an event example.org minted.
        using TestRoom room = TestRoom.Standard(id);
        room.Join(TestRoom.Bob);
        Pdu original = room.Send("m.room.message", TestRoom.Alice, null, Hello);

        Pdu redaction = room.Build(EventTypes.Redaction, TestRoom.Bob, null, [], redacts: original.EventId);

        AuthAssert.Denied(room.Check(redaction), "m.room.redaction: below the redact level, and the redacted event is from another server");
        Assert.False(RedactionRule.ShouldApply(redaction, original, PowerLevels.FromState(room.Version, room.State)));
    }

    [Theory]
    [MemberData(nameof(VersionsDecidingInAuthRules))]
    public void Auth_V1RedactionOfSameServersEventOrAtRedactLevel_Allowed(string id)
    {
        // v1–v2 rule 11.2 compares the domains of the two event IDs; rule 11.1 lets the redact level through from anywhere.
        using TestRoom room = TestRoom.Standard(id);
        room.Join(TestRoom.Bob);
        Pdu mine = room.Send("m.room.message", TestRoom.Bob, null, Hello);
        Pdu aliceMessage = room.Send("m.room.message", TestRoom.Alice, null, Hello);
        room.SetPowerLevels(new JsonObject
        {
            ["users"] = new JsonObject { [TestRoom.Creator] = 100, [TestRoom.Admin] = 100, [TestRoom.Mod] = 50, [TestRoom.Bob] = 50 },
        });

        Pdu own = room.Build(EventTypes.Redaction, TestRoom.Alice, null, [], redacts: aliceMessage.EventId);
        Pdu byLevel = room.Build(EventTypes.Redaction, TestRoom.Bob, null, [], redacts: aliceMessage.EventId);
        Pdu ofOtherServer = room.Build(EventTypes.Redaction, TestRoom.Alice, null, [], redacts: mine.EventId);

        AuthAssert.Allowed(room.Check(own));
        AuthAssert.Allowed(room.Check(byLevel));
        AuthAssert.Denied(room.Check(ofOtherServer), "the redacted event is from another server");
    }

    [Theory]
    [MemberData(nameof(VersionsDecidingOnApplying))]
    public void Auth_FromV3RedactionFromAnotherServer_AllowedByTheRules(string id)
    {
        // Since v3 the rules give a redaction only its required level; applying it is decided later.
        using TestRoom room = TestRoom.Standard(id);
        room.Join(TestRoom.Bob);
        Pdu aliceMessage = room.Send("m.room.message", TestRoom.Alice, null, Hello);

        AuthAssert.Allowed(room.Check(room.Build(EventTypes.Redaction, TestRoom.Bob, null, [], redacts: aliceMessage.EventId)));
    }

    [Fact]
    public void MaySend_OwnEventAtRedactionLevel_Allowed()
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        PowerLevels levels = PowerLevels.FromState(room.Version, room.State);
        UserId alice = UserId.Parse(TestRoom.Alice);

        Assert.True(RedactionRule.MaySend(alice, alice, levels));
        Assert.False(RedactionRule.MaySend(alice, UserId.Parse(TestRoom.Mod), levels));
        Assert.True(RedactionRule.MaySend(UserId.Parse(TestRoom.Mod), alice, levels));
    }

    [Fact]
    public void MaySend_BelowRedactionEventLevel_EvenOwnEventRefused()
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V11);
        room.SetPowerLevels(new JsonObject
        {
            ["users"] = new JsonObject { [TestRoom.Creator] = 100, [TestRoom.Admin] = 100 }, ["events"] = new JsonObject { [EventTypes.Redaction] = 10 },
        });
        UserId alice = UserId.Parse(TestRoom.Alice);

        Assert.False(RedactionRule.MaySend(alice, alice, PowerLevels.FromState(room.Version, room.State)));
    }
}
