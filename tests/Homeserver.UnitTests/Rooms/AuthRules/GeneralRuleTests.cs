using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>
/// Rule 3 (m.federate) and rules 5, 7, 8 (v12: 4, 6, 8, 9), which every non-member event passes; with the
/// event types that have no rule of their own: redactions, history visibility, join rules, tombstones.
/// </summary>
public sealed class GeneralRuleTests
{
    public static TheoryData<string> Versions => TestRoom.AllVersions;

    private static readonly JsonObject Hello = new() { ["body"] = "hello", ["msgtype"] = "m.text" };

    [Theory]
    [MemberData(nameof(Versions))]
    public void Federate_FalseAndSenderOnAnotherServer_Denied(string id)
    {
        // Rule 3.
        using TestRoom room = TestRoom.New(id, new JsonObject { ["m.federate"] = false });
        room.Join(TestRoom.Creator);
        room.SetJoinRule("public");

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")), "m.room.member: the room does not federate");
        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Alice, TestRoom.Alice, "join")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Federate_True_RemoteJoinAllowed(string id)
    {
        using TestRoom room = TestRoom.New(id, new JsonObject { ["m.federate"] = true });
        room.Join(TestRoom.Creator);
        room.SetJoinRule("public");

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Message_FromJoinedMember_Allowed(string id)
    {
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Allowed(room.Check(room.Build("m.room.message", TestRoom.Alice, null, Hello)));
    }

    [Theory]
    [InlineData("10", "leave")]
    [InlineData("11", "invite")]
    [InlineData("12", "ban")]
    [InlineData("12", "never")]
    public void Message_FromNonMember_Denied(string id, string membership)
    {
        // Rule 5.
        using TestRoom room = TestRoom.Standard(id);
        switch (membership)
        {
            case "leave":
                room.SetMembership(TestRoom.Bob, TestRoom.Bob, "join");
                room.SetMembership(TestRoom.Bob, TestRoom.Bob, "leave");
                break;
            case "invite":
            case "ban":
                room.SetMembership(TestRoom.Mod, TestRoom.Bob, membership);
                break;
        }

        AuthAssert.Denied(room.Check(room.Build("m.room.message", TestRoom.Bob, null, Hello)), "m.room.message: the sender is not joined");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void State_BelowStateDefault_Denied(string id)
    {
        // Rule 7: state_default is 50 when unspecified.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Build("m.room.name", TestRoom.Alice, "", new JsonObject { ["name"] = "x" })), "m.room.name: the sender's level is below the required level 50");
        AuthAssert.Allowed(room.Check(room.Build("m.room.name", TestRoom.Mod, "", new JsonObject { ["name"] = "x" })));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Message_EventsEntryAboveSender_Denied(string id)
    {
        // Rule 7: an events entry overrides events_default.
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = (JsonObject)room.State.Get(EventTypes.PowerLevels, "")!.Content.DeepClone();
        levels["events"] = new JsonObject { ["m.room.message"] = 10 };
        levels["events_default"] = 60;
        room.SetPowerLevels(levels);

        AuthAssert.Denied(room.Check(room.Build("m.room.message", TestRoom.Alice, null, Hello)), "below the required level 10");
        AuthAssert.Allowed(room.Check(room.Build("m.room.message", TestRoom.Mod, null, Hello)));
        AuthAssert.Denied(room.Check(room.Build("m.sticker", TestRoom.Mod, null, Hello)), "below the required level 60");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void State_UserStateKeyOfSender_Allowed(string id)
    {
        // Rule 8, accept: Alice's own key, with the type open to everyone.
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = (JsonObject)room.State.Get(EventTypes.PowerLevels, "")!.Content.DeepClone();
        levels["events"] = new JsonObject { ["org.example.status"] = 0 };
        room.SetPowerLevels(levels);

        AuthAssert.Allowed(room.Check(room.Build("org.example.status", TestRoom.Alice, TestRoom.Alice, [])));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void State_UserStateKeyOfSomeoneElse_Denied(string id)
    {
        // Rule 8: not even the admin may write under another user's key.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Build("org.example.status", TestRoom.Admin, TestRoom.Alice, [])), "a state_key starting with '@' must be the sender");
        AuthAssert.Denied(room.Check(room.Build("org.example.status", TestRoom.Admin, "@not-even-a-user-id", [])), "must be the sender");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Redaction_BelowRedactLevel_AllowedByAuthRules(string id)
    {
        // The redact level is "not considered by the auth rules": only the m.room.redaction level (0 here).
        using TestRoom room = TestRoom.Standard(id);
        Pdu target = room.Send("m.room.message", TestRoom.Mod, null, Hello);

        Pdu redaction = room.Build(EventTypes.Redaction, TestRoom.Alice, null, [], redacts: target.EventId);

        Assert.Equal(target.EventId, redaction.Redacts);
        AuthAssert.Allowed(room.Check(redaction));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Redaction_BelowRedactionEventLevel_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = (JsonObject)room.State.Get(EventTypes.PowerLevels, "")!.Content.DeepClone();
        levels["events"] = new JsonObject { [EventTypes.Redaction] = 50 };
        room.SetPowerLevels(levels);
        Pdu target = room.Send("m.room.message", TestRoom.Alice, null, Hello);

        Pdu redaction = room.Build(EventTypes.Redaction, TestRoom.Alice, null, [], redacts: target.EventId);

        AuthAssert.Denied(room.Check(redaction), "m.room.redaction: the sender's level is below the required level 50");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void HistoryVisibility_OnlyItsLevel_Decides(string id)
    {
        // No rule of its own: rule 7 with state_default; unknown values are not refused.
        using TestRoom room = TestRoom.Standard(id);
        var content = new JsonObject { ["history_visibility"] = "joined" };

        AuthAssert.Denied(room.Check(room.Build(EventTypes.HistoryVisibility, TestRoom.Alice, "", content)), "below the required level");
        AuthAssert.Allowed(room.Check(room.Build(EventTypes.HistoryVisibility, TestRoom.Mod, "", content)));
        AuthAssert.Allowed(room.Check(room.Build(EventTypes.HistoryVisibility, TestRoom.Mod, "", new JsonObject { ["history_visibility"] = "sometimes" })));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void JoinRules_BelowItsLevel_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        var content = new JsonObject { ["join_rule"] = "invite" };

        AuthAssert.Denied(room.Check(room.Build(EventTypes.JoinRules, TestRoom.Alice, "", content)), "m.room.join_rules: the sender's level is below");
        AuthAssert.Allowed(room.Check(room.Build(EventTypes.JoinRules, TestRoom.Mod, "", content)));
    }

    [Fact]
    public void Tombstone_V12AtAdminBelowItsLevel_DeniedButCreatorAllowed()
    {
        // Row 43: v12 rooms are created with m.room.tombstone above state_default (e.g. 150); only a level
        // that high, which in practice only the infinite creators have, may end the room.
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        JsonObject levels = (JsonObject)room.State.Get(EventTypes.PowerLevels, "")!.Content.DeepClone();
        levels["events"] = new JsonObject { ["m.room.tombstone"] = 150 };
        room.SetPowerLevels(levels);
        var content = new JsonObject { ["body"] = "moved", ["replacement_room"] = "!new" };

        AuthAssert.Denied(room.Check(room.Build("m.room.tombstone", TestRoom.Admin, "", content)), "m.room.tombstone: the sender's level is below the required level 150");
        AuthAssert.Allowed(room.Check(room.Build("m.room.tombstone", TestRoom.Creator, "", content)));
    }

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    public void Tombstone_BeforeV12CreatorIsOnlyHundred_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = (JsonObject)room.State.Get(EventTypes.PowerLevels, "")!.Content.DeepClone();
        levels["events"] = new JsonObject { ["m.room.tombstone"] = 100 };
        room.SetPowerLevels(levels);
        var content = new JsonObject { ["body"] = "moved", ["replacement_room"] = "!new:example.org" };

        AuthAssert.Allowed(room.Check(room.Build("m.room.tombstone", TestRoom.Creator, "", content)));
        AuthAssert.Denied(room.Check(room.Build("m.room.tombstone", TestRoom.Mod, "", content)), "below the required level 100");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void State_NoPowerLevelsEvent_OnlyCreatorReachesStateDefault(string id)
    {
        // Without power levels: the creator has 100 (v12: infinite), everyone else 0, state_default 50.
        using TestRoom room = TestRoom.New(id);
        room.Join(TestRoom.Creator);
        room.SetJoinRule("public");
        room.Join(TestRoom.Alice);

        AuthAssert.Allowed(room.Check(room.Build("m.room.topic", TestRoom.Creator, "", new JsonObject { ["topic"] = "t" })));
        AuthAssert.Denied(room.Check(room.Build("m.room.topic", TestRoom.Alice, "", new JsonObject { ["topic"] = "t" })), "below the required level 50");
        AuthAssert.Allowed(room.Check(room.Build("m.room.message", TestRoom.Alice, null, Hello)));
    }
}
