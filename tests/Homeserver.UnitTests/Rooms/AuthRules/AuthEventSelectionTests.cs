using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>Server-server API, "Auth events selection".</summary>
public sealed class AuthEventSelectionTests
{
    private static readonly UserId Alice = UserId.Parse(TestRoom.Alice);

    private static readonly StateEventKey Create = new(EventTypes.Create, "");
    private static readonly StateEventKey Levels = new(EventTypes.PowerLevels, "");
    private static readonly StateEventKey JoinRules = new(EventTypes.JoinRules, "");
    private static readonly StateEventKey AliceMember = new(EventTypes.Member, TestRoom.Alice);
    private static readonly StateEventKey BobMember = new(EventTypes.Member, TestRoom.Bob);

    private static JsonObject Membership(string membership) => new() { ["membership"] = membership };

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    public void Keys_MessageBeforeV12_CreatePowerLevelsSender(string id)
    {
        Assert.Equal([Create, Levels, AliceMember], AuthEventSelection.Keys(TestRoom.VersionOf(id), "m.room.message", Alice, null, []));
    }

    [Fact]
    public void Keys_MessageV12_NoCreateEvent()
    {
        Assert.Equal([Levels, AliceMember], AuthEventSelection.Keys(RoomVersions.V12, "m.room.message", Alice, null, []));
    }

    [Fact]
    public void Keys_CreateEvent_Empty()
    {
        Assert.Empty(AuthEventSelection.Keys(RoomVersions.V11, EventTypes.Create, Alice, "", []));
    }

    [Theory]
    [InlineData("join")]
    [InlineData("invite")]
    [InlineData("knock")]
    public void Keys_MembershipNeedingJoinRules_IncludesTargetAndJoinRules(string membership)
    {
        Assert.Equal([Levels, AliceMember, BobMember, JoinRules], AuthEventSelection.Keys(RoomVersions.V12, EventTypes.Member, Alice, TestRoom.Bob, Membership(membership)));
    }

    [Theory]
    [InlineData("leave")]
    [InlineData("ban")]
    public void Keys_LeaveOrBan_NoJoinRules(string membership)
    {
        Assert.Equal([Levels, AliceMember, BobMember], AuthEventSelection.Keys(RoomVersions.V12, EventTypes.Member, Alice, TestRoom.Bob, Membership(membership)));
    }

    [Fact]
    public void Keys_OwnMembership_SenderAndTargetOnce()
    {
        Assert.Equal([Create, Levels, AliceMember, JoinRules], AuthEventSelection.Keys(RoomVersions.V10, EventTypes.Member, Alice, TestRoom.Alice, Membership("join")));
    }

    [Fact]
    public void Keys_ThirdPartyInvite_IncludesInviteWithToken()
    {
        JsonObject content = Membership("invite");
        content["third_party_invite"] = new JsonObject { ["signed"] = new JsonObject { ["mxid"] = TestRoom.Bob, ["token"] = "tok" } };

        IReadOnlyList<StateEventKey> keys = AuthEventSelection.Keys(RoomVersions.V11, EventTypes.Member, Alice, TestRoom.Bob, content);

        Assert.Equal(new StateEventKey(EventTypes.ThirdPartyInvite, "tok"), keys[^1]);
    }

    [Fact]
    public void Keys_RestrictedJoin_IncludesAuthorisersMembership()
    {
        JsonObject content = Membership("join");
        content["join_authorised_via_users_server"] = TestRoom.Admin;

        IReadOnlyList<StateEventKey> keys = AuthEventSelection.Keys(RoomVersions.V12, EventTypes.Member, UserId.Parse(TestRoom.Bob), TestRoom.Bob, content);

        Assert.Equal([Levels, BobMember, JoinRules, new StateEventKey(EventTypes.Member, TestRoom.Admin)], keys);
    }

    [Fact]
    public void Keys_AuthoriserOnInvite_NotIncluded()
    {
        JsonObject content = Membership("invite");
        content["join_authorised_via_users_server"] = TestRoom.Admin;

        Assert.DoesNotContain(new StateEventKey(EventTypes.Member, TestRoom.Admin), AuthEventSelection.Keys(RoomVersions.V12, EventTypes.Member, Alice, TestRoom.Bob, content));
    }

    [Fact]
    public void Select_SomeKeysAbsent_ReturnsOnlyPresent()
    {
        using TestRoom room = TestRoom.New(RoomVersions.V11);
        Pdu creatorJoin = room.Join(TestRoom.Creator);

        IReadOnlyList<Pdu> selected = AuthEventSelection.Select(RoomVersions.V11, EventTypes.Member, UserId.Parse(TestRoom.Creator), TestRoom.Bob, Membership("invite"), room.State);

        Assert.Equal([room.Create, creatorJoin], selected);
    }
}
