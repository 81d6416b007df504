using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>Rules 4.1, 4.2 and 4.5–4.8 (v12 5.x): shape, authorising signature, leave and kick, ban, knock, unknown.</summary>
public sealed class MemberRuleTests
{
    public static TheoryData<string> Versions => TestRoom.AllVersions;

    public static TheoryData<string> KnockVersions => TestRoom.VersionsWhere(v => v.SupportsKnocking);

    public static TheoryData<string> VersionsWithoutKnocking => TestRoom.VersionsWhere(v => !v.SupportsKnocking);

    public static TheoryData<string> RestrictedVersions => TestRoom.VersionsWhere(v => v.SupportsRestrictedJoinRule);

    public static TheoryData<string> VersionsWithoutRestricted => TestRoom.VersionsWhere(v => !v.SupportsRestrictedJoinRule);

    [Theory]
    [MemberData(nameof(Versions))]
    public void Member_WithoutMembership_Denied(string id)
    {
        // Rule 4.1.
        using TestRoom room = TestRoom.Standard(id);

        Pdu ev = room.Build(EventTypes.Member, TestRoom.Bob, TestRoom.Bob, new JsonObject { ["displayname"] = "Bob" });

        AuthAssert.Denied(room.Check(ev), "m.room.member: no state_key or no content.membership");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Member_WithoutStateKey_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);

        Pdu ev = room.Build(EventTypes.Member, TestRoom.Bob, null, new JsonObject { ["membership"] = "join" });

        AuthAssert.Denied(room.Check(ev), "no state_key or no content.membership");
    }

    [Theory]
    [MemberData(nameof(RestrictedVersions))]
    public void Member_AuthoriserServerDidNotSign_Denied(string id)
    {
        // Rule 4.2.1: only other.org signed, but example.org's user is named as authoriser.
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("restricted");

        Pdu join = room.Member(TestRoom.Bob, TestRoom.Bob, "join", new JsonObject { ["join_authorised_via_users_server"] = TestRoom.Admin });

        AuthAssert.Denied(room.Check(join), "m.room.member: not signed by the server of join_authorised_via_users_server");
    }

    [Theory]
    [MemberData(nameof(RestrictedVersions))]
    public void Member_AuthoriserNotAUserId_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("restricted");

        Pdu join = room.Member(TestRoom.Bob, TestRoom.Bob, "join", new JsonObject { ["join_authorised_via_users_server"] = "example.org" });

        AuthAssert.Denied(room.Check(join), "not signed by the server of join_authorised_via_users_server");
    }

    [Theory]
    [MemberData(nameof(RestrictedVersions))]
    public void Member_AuthoriserOnLeaveEvent_StillNeedsSignature(string id)
    {
        // Rule 4.2 names no membership: it applies to any member event carrying the key.
        using TestRoom room = TestRoom.Standard(id);
        room.Join(TestRoom.Bob);
        var via = new JsonObject { ["join_authorised_via_users_server"] = TestRoom.Admin };

        Pdu leave = room.Member(TestRoom.Bob, TestRoom.Bob, "leave", via);

        AuthAssert.Denied(room.Check(leave), "not signed by the server of join_authorised_via_users_server");
        AuthAssert.Allowed(room.Check(room.CoSign(leave, "example.org")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Leave_OwnFromJoin_Allowed(string id)
    {
        // Rule 4.5.1.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Alice, TestRoom.Alice, "leave")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Leave_RejectInvite_Allowed(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetMembership(TestRoom.Alice, TestRoom.Bob, "invite");

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "leave")));
    }

    [Theory]
    [MemberData(nameof(KnockVersions))]
    public void Leave_RetractKnock_Allowed(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("knock");
        room.SetMembership(TestRoom.Bob, TestRoom.Bob, "knock");

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "leave")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Leave_OwnWhenNeverInRoom_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "leave")), "m.room.member: cannot leave from membership 'leave'");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Leave_OwnWhenBanned_Denied(string id)
    {
        // A banned user cannot unban themselves by "leaving".
        using TestRoom room = TestRoom.Standard(id);
        room.SetMembership(TestRoom.Mod, TestRoom.Alice, "ban");

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Alice, TestRoom.Alice, "leave")), "cannot leave from membership 'ban'");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Kick_SenderNotJoined_Denied(string id)
    {
        // Rule 4.5.2.
        using TestRoom room = TestRoom.Standard(id);
        room.SetMembership(TestRoom.Admin, TestRoom.Admin, "leave");

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Admin, TestRoom.Alice, "leave")), "m.room.member: the sender is not joined");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Unban_BelowBanLevel_Denied(string id)
    {
        // Rule 4.5.3: Mod (50) has the kick level but not a ban level of 75.
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = (JsonObject)room.State.Get(EventTypes.PowerLevels, "")!.Content.DeepClone();
        levels["ban"] = 75;
        room.SetPowerLevels(levels);
        room.SetMembership(TestRoom.Admin, TestRoom.Bob, "ban");

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Mod, TestRoom.Bob, "leave")), "below the ban level, needed to unban");
        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Admin, TestRoom.Bob, "leave")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Kick_LowerTargetWithKickLevel_Allowed(string id)
    {
        // Rule 4.5.4.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Mod, TestRoom.Alice, "leave")));
    }

    [Theory]
    [InlineData("10", TestRoom.Alice, TestRoom.Mod)]
    [InlineData("11", TestRoom.Mod, TestRoom.Admin)]
    [InlineData("12", TestRoom.Alice, TestRoom.Bob)]
    public void Kick_TargetNotBelowSenderOrSenderBelowKick_Denied(string id, string sender, string target)
    {
        // Rule 4.5.5: Alice lacks the kick level; Mod does not outrank Admin.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Member(sender, target, "leave")), "the sender needs the kick level and a level above the target's");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Ban_ByModOfLowerUser_Allowed(string id)
    {
        // Rule 4.6.2.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Mod, TestRoom.Alice, "ban")));
        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Mod, TestRoom.Bob, "ban")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Ban_SenderNotJoined_Denied(string id)
    {
        // Rule 4.6.1.
        using TestRoom room = TestRoom.Standard(id);
        room.SetMembership(TestRoom.Mod, TestRoom.Mod, "leave");

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Mod, TestRoom.Alice, "ban")), "m.room.member: the sender is not joined");
    }

    [Theory]
    [InlineData("10", TestRoom.Alice, TestRoom.Bob)]
    [InlineData("11", TestRoom.Mod, TestRoom.Admin)]
    [InlineData("12", TestRoom.Mod, TestRoom.Mod)]
    public void Ban_BelowBanLevelOrNotAboveTarget_Denied(string id, string sender, string target)
    {
        // Rule 4.6.3.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Member(sender, target, "ban")), "the sender needs the ban level and a level above the target's");
    }

    [Theory]
    [InlineData("knock")]
    [InlineData("knock_restricted")]
    public void Knock_KnockJoinRules_Allowed(string joinRule)
    {
        // Rule 4.7.3 (v7+); knock_restricted is the v10 addition to 4.7.1.
        foreach (RoomVersion version in RoomVersions.All.Where(v => JoinRules.Parse(v, joinRule) != JoinRule.Unknown))
        {
            using TestRoom room = TestRoom.Standard(version);
            room.SetJoinRule(joinRule);

            AuthAssert.Allowed(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "knock")));
        }
    }

    [Theory]
    [MemberData(nameof(KnockVersions))]
    public void Knock_PublicRoom_Denied(string id)
    {
        // Rule 4.7.1.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "knock")), "m.room.member: the join rule does not allow knocking");
    }

    [Theory]
    [MemberData(nameof(KnockVersions))]
    public void Knock_ForSomeoneElse_Denied(string id)
    {
        // Rule 4.7.2.
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("knock");

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Alice, TestRoom.Bob, "knock")), "a user can only knock for themselves");
    }

    [Theory]
    [InlineData("10", "ban")]
    [InlineData("11", "invite")]
    [InlineData("12", "join")]
    public void Knock_WhileBannedInvitedOrJoined_Denied(string id, string membership)
    {
        // Rule 4.7.4.
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("knock");
        string knocker = TestRoom.Alice;
        if (membership != "join")
        {
            knocker = TestRoom.Bob;
            room.SetMembership(TestRoom.Admin, knocker, membership);
        }

        AuthAssert.Denied(room.Check(room.Member(knocker, knocker, "knock")), "cannot knock while banned, invited or joined");
    }

    [Theory]
    [MemberData(nameof(VersionsWithoutKnocking))]
    public void Knock_BeforeV7_UnknownMembership(string id)
    {
        // Knocking came with room version 7: before it, knock is no membership, even where the join rule says knock.
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("knock");

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "knock")), "m.room.member: unknown membership");
    }

    [Theory]
    [MemberData(nameof(VersionsWithoutRestricted))]
    public void Member_AuthoriserBeforeV8_NeedsNoSignature(string id)
    {
        // Rule 4.2 came with room version 8: before, join_authorised_via_users_server is content like any other.
        using TestRoom room = TestRoom.Standard(id);

        Pdu join = room.Member(TestRoom.Bob, TestRoom.Bob, "join", new JsonObject { ["join_authorised_via_users_server"] = TestRoom.Admin });

        AuthAssert.Allowed(room.Check(join));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Member_UnknownMembership_Denied(string id)
    {
        // Rule 4.8.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Alice, TestRoom.Alice, "lurk")), "m.room.member: unknown membership");
    }

    [Fact]
    public void Kick_V12AdminKicksCreator_Denied()
    {
        // Row 43: creators are infinitely powerful, so no level suffices to kick or ban them.
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Admin, TestRoom.Creator, "leave")), "a level above the target's");
        AuthAssert.Denied(room.Check(room.Member(TestRoom.Admin, TestRoom.Creator, "ban")), "a level above the target's");
        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Creator, TestRoom.Admin, "leave")));
    }

    [Fact]
    public void Kick_V12CreatorKicksAdditionalCreator_Denied()
    {
        // Two infinite levels: neither is below the other.
        using TestRoom room = TestRoom.New(RoomVersions.V12, new JsonObject { ["additional_creators"] = new JsonArray(TestRoom.Alice) });
        room.Join(TestRoom.Creator);
        room.SetJoinRule("public");
        room.Join(TestRoom.Alice);

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Creator, TestRoom.Alice, "ban")), "a level above the target's");
    }

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    public void Kick_BeforeV12AdminKicksCreatorAtSameLevel_DeniedButHigherAdminMay(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        AuthAssert.Denied(room.Check(room.Member(TestRoom.Admin, TestRoom.Creator, "leave")), "a level above the target's");

        room.SetPowerLevels(new JsonObject { ["users"] = new JsonObject { [TestRoom.Creator] = 100, [TestRoom.Admin] = 100 } });
        room.SetPowerLevels(new JsonObject { ["users"] = new JsonObject { [TestRoom.Creator] = 99, [TestRoom.Admin] = 100 } });

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Admin, TestRoom.Creator, "leave")));
    }
}
