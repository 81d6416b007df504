using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>Rule 4.3 (v12 5.3): joins, including restricted joins through join_authorised_via_users_server.</summary>
public sealed class MemberJoinRuleTests
{
    public static TheoryData<string> Versions => TestRoom.AllVersions;

    public static TheoryData<string> KnockVersions => TestRoom.VersionsWhere(v => v.SupportsKnocking);

    public static TheoryData<string> VersionsWithoutKnocking => TestRoom.VersionsWhere(v => !v.SupportsKnocking);

    private static JsonObject Via(string authoriser) => new() { ["join_authorised_via_users_server"] = authoriser };

    [Theory]
    [MemberData(nameof(Versions))]
    public void Join_CreatorStraightAfterCreate_Allowed(string id)
    {
        // Rule 4.3.1: no join rules exist yet, so nothing else could allow it.
        using TestRoom room = TestRoom.New(id);

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Creator, TestRoom.Creator, "join")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Join_OtherUserStraightAfterCreate_Denied(string id)
    {
        // Rule 4.3.1 is the creator's alone; with no join rules event the room counts as invite-only.
        using TestRoom room = TestRoom.New(id);

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Alice, TestRoom.Alice, "join")), "m.room.member: the join rule needs an invite");
    }

    [Fact]
    public void Join_V10CreatorIsContentCreatorNotSender_FirstJoinFollowsContent()
    {
        // v10 rule 4.3.1 names "the creator" (content.creator); v11 changed it to the create event's sender.
        using TestRoom room = TestRoom.New(RoomVersions.V10, new JsonObject { ["creator"] = TestRoom.Alice });

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Alice, TestRoom.Alice, "join")));
        AuthAssert.Denied(room.Check(room.Member(TestRoom.Creator, TestRoom.Creator, "join")), "needs an invite");
    }

    [Fact]
    public void Join_V11ContentCreatorIgnored_SenderJoinsFirst()
    {
        using TestRoom room = TestRoom.New(RoomVersions.V11, new JsonObject { ["creator"] = TestRoom.Alice });

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Creator, TestRoom.Creator, "join")));
        AuthAssert.Denied(room.Check(room.Member(TestRoom.Alice, TestRoom.Alice, "join")), "needs an invite");
    }

    [Fact]
    public void Join_V12AdditionalCreatorStraightAfterCreate_Denied()
    {
        // v12 5.3.1 still names only "the sender of the m.room.create".
        using TestRoom room = TestRoom.New(RoomVersions.V12, new JsonObject { ["additional_creators"] = new JsonArray(TestRoom.Alice) });

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Alice, TestRoom.Alice, "join")), "needs an invite");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Join_ForSomeoneElse_Denied(string id)
    {
        // Rule 4.3.2.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Admin, TestRoom.Bob, "join")), "m.room.member: a user can only join for themselves");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Join_PublicRoom_Allowed(string id)
    {
        // Rule 4.3.6.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Join_SenderBanned_Denied(string id)
    {
        // Rule 4.3.3, even in a public room.
        using TestRoom room = TestRoom.Standard(id);
        room.SetMembership(TestRoom.Admin, TestRoom.Bob, "ban");

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")), "m.room.member: sender is banned");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Join_InviteRoomWhenInvited_Allowed(string id)
    {
        // Rule 4.3.4.
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("invite");
        room.SetMembership(TestRoom.Alice, TestRoom.Bob, "invite");

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Join_InviteRoomWhenAlreadyJoined_Allowed(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("invite");

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Alice, TestRoom.Alice, "join")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Join_InviteRoomUninvited_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("invite");

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")), "the join rule needs an invite");
    }

    [Theory]
    [MemberData(nameof(KnockVersions))]
    public void Join_KnockRoomAfterInvite_Allowed(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("knock");
        room.SetMembership(TestRoom.Bob, TestRoom.Bob, "knock");
        room.SetMembership(TestRoom.Alice, TestRoom.Bob, "invite");

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")));
    }

    [Theory]
    [MemberData(nameof(KnockVersions))]
    public void Join_KnockRoomWhileOnlyKnocking_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("knock");
        room.SetMembership(TestRoom.Bob, TestRoom.Bob, "knock");

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")), "the join rule needs an invite");
    }

    [Theory]
    [MemberData(nameof(VersionsWithoutKnocking))]
    public void Join_KnockRuleBeforeV7_InvitedStillDenied(string id)
    {
        // Before room version 7, knock is no join rule of the version: rule 4.3.6 rejects, even an invited user.
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("knock");
        room.SetMembership(TestRoom.Alice, TestRoom.Bob, "invite");

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")), "the join rule does not allow joining");
    }

    public static TheoryData<string, string> RestrictedRules => new()
    {
        { "8", "restricted" }, { "9", "restricted" },
        { "10", "restricted" }, { "10", "knock_restricted" },
        { "11", "restricted" }, { "11", "knock_restricted" },
        { "12", "restricted" }, { "12", "knock_restricted" },
    };

    [Theory]
    [MemberData(nameof(RestrictedRules))]
    public void Join_RestrictedWhenInvited_Allowed(string id, string joinRule)
    {
        // Rule 4.3.5.1: an invite is enough, no authoriser needed.
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule(joinRule);
        room.SetMembership(TestRoom.Alice, TestRoom.Bob, "invite");

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")));
    }

    [Theory]
    [MemberData(nameof(RestrictedRules))]
    public void Join_RestrictedAuthorisedByJoinedInviter_Allowed(string id, string joinRule)
    {
        // Rule 4.3.5.3; the authorising server's signature is what rule 4.2 asks for.
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule(joinRule);

        Pdu join = room.CoSign(room.Member(TestRoom.Bob, TestRoom.Bob, "join", Via(TestRoom.Admin)), "example.org");

        AuthAssert.Allowed(room.Check(join));
    }

    [Theory]
    [MemberData(nameof(RestrictedRules))]
    public void Join_RestrictedWithoutAuthoriser_Denied(string id, string joinRule)
    {
        // Rule 4.3.5.2.
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule(joinRule);

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")), "a restricted join needs join_authorised_via_users_server");
    }

    [Theory]
    [MemberData(nameof(RestrictedRules))]
    public void Join_RestrictedAuthoriserNotJoined_Denied(string id, string joinRule)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule(joinRule);
        room.SetMembership(TestRoom.Admin, TestRoom.Admin, "leave");

        Pdu join = room.CoSign(room.Member(TestRoom.Bob, TestRoom.Bob, "join", Via(TestRoom.Admin)), "example.org");

        AuthAssert.Denied(room.Check(join), "join_authorised_via_users_server is not a joined member");
    }

    [Theory]
    [MemberData(nameof(RestrictedRules))]
    public void Join_RestrictedAuthoriserBelowInviteLevel_Denied(string id, string joinRule)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule(joinRule);
        JsonObject levels = (JsonObject)room.State.Get(EventTypes.PowerLevels, "")!.Content.DeepClone();
        levels["invite"] = 50;
        room.SetPowerLevels(levels);

        Pdu join = room.CoSign(room.Member(TestRoom.Bob, TestRoom.Bob, "join", Via(TestRoom.Alice)), "example.org");

        AuthAssert.Denied(room.Check(join), "join_authorised_via_users_server cannot invite");
    }

    [Fact]
    public void Join_V12RestrictedAuthorisedByCreator_AllowedWhateverTheInviteLevel()
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        room.SetJoinRule("restricted");
        room.SetPowerLevels(new JsonObject { ["invite"] = CoreMaxSafe, ["users"] = new JsonObject { [TestRoom.Admin] = 100 } });

        Pdu join = room.CoSign(room.Member(TestRoom.Bob, TestRoom.Bob, "join", Via(TestRoom.Creator)), "example.org");

        AuthAssert.Allowed(room.Check(join));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Join_RestrictedBannedUserEvenIfAuthorised_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetJoinRule("restricted");
        room.SetMembership(TestRoom.Admin, TestRoom.Bob, "ban");

        Pdu join = room.CoSign(room.Member(TestRoom.Bob, TestRoom.Bob, "join", Via(TestRoom.Admin)), "example.org");

        AuthAssert.Denied(room.Check(join), "sender is banned");
    }

    [Theory]
    [InlineData("10", "private")]
    [InlineData("11", "private")]
    [InlineData("12", "private")]
    [InlineData("12", "unheard_of")]
    public void Join_OtherJoinRule_Denied(string id, string joinRule)
    {
        // Rule 4.3.7, even for an invited user.
        using TestRoom room = TestRoom.Standard(id);
        room.SetMembership(TestRoom.Alice, TestRoom.Bob, "invite");
        room.SetJoinRule(joinRule);

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Bob, TestRoom.Bob, "join")), "the join rule does not allow joining");
    }

    private const long CoreMaxSafe = Homeserver.Core.Json.CanonicalJson.MaxSafeInteger;
}
