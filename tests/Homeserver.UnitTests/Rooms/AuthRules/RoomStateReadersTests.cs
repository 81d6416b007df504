using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>The small readers the rules share: join rules, history visibility, membership, creators, signing servers.</summary>
public sealed class RoomStateReadersTests
{
    [Theory]
    [InlineData("public", JoinRule.Public)]
    [InlineData("invite", JoinRule.Invite)]
    [InlineData("knock", JoinRule.Knock)]
    [InlineData("restricted", JoinRule.Restricted)]
    [InlineData("knock_restricted", JoinRule.KnockRestricted)]
    [InlineData("private", JoinRule.Private)]
    [InlineData("Public", JoinRule.Unknown)]
    public void JoinRules_Parse_KnownValues(string value, JoinRule expected)
    {
        Assert.Equal(expected, JoinRules.Parse(RoomVersions.V10, value));
    }

    [Fact]
    public void JoinRules_VersionWithoutKnocking_KnockIsUnknown()
    {
        RoomVersion noKnocking = RoomVersions.V10 with { Id = "no-knock", SupportsKnocking = false, SupportsKnockRestrictedJoinRule = false };

        Assert.Equal(JoinRule.Unknown, JoinRules.Parse(noKnocking, "knock"));
        Assert.Equal(JoinRule.Unknown, JoinRules.Parse(noKnocking, "knock_restricted"));
    }

    [Fact]
    public void JoinRules_Read_NoEventMeansInvite()
    {
        using TestRoom room = TestRoom.New(RoomVersions.V12);

        Assert.Equal(JoinRule.Invite, JoinRules.Read(RoomVersions.V12, room.State));
    }

    [Fact]
    public void JoinRules_AllowedRoomIds_SkipsMalformedConditions()
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V11);
        Pdu joinRules = room.Send(EventTypes.JoinRules, TestRoom.Creator, "", new JsonObject
        {
            ["join_rule"] = "restricted",
            ["allow"] = new JsonArray(
                new JsonObject { ["type"] = "m.room_membership", ["room_id"] = "!space:example.org" },
                new JsonObject { ["type"] = "m.room_membership" },
                new JsonObject { ["type"] = "org.example.other", ["room_id"] = "!x:example.org" },
                "junk"),
        });

        Assert.Equal([RoomId.Parse("!space:example.org")], JoinRules.AllowedRoomIds(joinRules));
        Assert.Equal(JoinRule.Restricted, JoinRules.Read(RoomVersions.V11, room.State));
    }

    [Theory]
    [InlineData(null, "shared")]
    [InlineData("world_readable", "world_readable")]
    [InlineData("joined", "joined")]
    [InlineData("invited", "invited")]
    [InlineData("sometimes", "shared")]
    public void HistoryVisibility_Read_DefaultsToShared(string? value, string expected)
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        if (value is not null)
        {
            room.Send(EventTypes.HistoryVisibility, TestRoom.Admin, "", new JsonObject { ["history_visibility"] = value });
        }

        Assert.Equal(expected, HistoryVisibility.Read(room.State));
    }

    [Fact]
    public void Membership_Of_NoEventMeansLeave()
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V10);

        Assert.Equal("leave", Membership.Of(room.State, TestRoom.Bob));
        Assert.Equal("join", Membership.Of(room.State, TestRoom.Alice));
    }

    [Fact]
    public void RoomCreators_All_PerVersion()
    {
        var extra = new JsonObject { ["additional_creators"] = new JsonArray(TestRoom.Bob, "not-a-user") };
        using TestRoom v10 = TestRoom.New(RoomVersions.V10, extra);
        using TestRoom v11 = TestRoom.New(RoomVersions.V11, extra);

        Assert.Equal([TestRoom.Creator], RoomCreators.All(RoomVersions.V10, v10.Create));
        Assert.Equal([TestRoom.Creator], RoomCreators.All(RoomVersions.V11, v11.Create));
        Assert.Equal([TestRoom.Creator, TestRoom.Bob], RoomCreators.All(RoomVersions.V12, TestRoom.BuildCreate(
            RoomVersions.V12, TestRoom.CreateContent(RoomVersions.V12, extraContent: new JsonObject { ["additional_creators"] = new JsonArray(TestRoom.Bob) }))));
    }

    [Fact]
    public void SigningServers_RestrictedJoin_SenderAndAuthoriserServers()
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        room.SetJoinRule("restricted");
        Pdu join = room.Member(TestRoom.Bob, TestRoom.Bob, "join", new JsonObject { ["join_authorised_via_users_server"] = TestRoom.Admin });
        Pdu coSigned = room.CoSign(join, "example.org");
        using var key = Homeserver.Core.Keys.SigningKey.FromSeed("auth", TestRoom.Seed);

        Assert.Equal(["other.org", "example.org"], SigningServers.Required(join));
        Assert.Equal(join.EventId, coSigned.EventId);
        foreach (string server in SigningServers.Required(coSigned))
        {
            Assert.True(EventVerifier.VerifySignature(coSigned.Json, RoomVersions.V12, server, key.KeyId, key.PublicKey));
        }
    }

    [Fact]
    public void SigningServers_Message_SenderOnly()
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V10);

        Assert.Equal(["example.org"], SigningServers.Required(room.Build("m.room.message", TestRoom.Alice, null, [])));
    }

    [Theory]
    [InlineData("1", "example.org,third.org")]
    [InlineData("2", "example.org,third.org")]
    [InlineData("3", "example.org")]
    public void SigningServers_V1EventIdMintedElsewhere_ThatServerToo(string id, string expected)
    {
        // Fragment "v3-auth-rules": in versions 1 and 2 the domain of the event_id must have signed as well.
        using TestRoom room = TestRoom.Standard(id);
        JsonObject json = (JsonObject)room.Build("m.room.message", TestRoom.Alice, null, []).Json.DeepClone();
        if (room.Version.EventIdFormat == EventIdFormat.ServerGenerated)
        {
            json["event_id"] = "$minted:third.org";
        }

        Assert.Equal(expected.Split(','), SigningServers.Required(Pdu.FromJson(json, room.Version)));
    }

    [Fact]
    public void AuthStateMap_MessageEvent_Refused()
    {
        using TestRoom room = TestRoom.Standard(RoomVersions.V10);

        Assert.Throws<ArgumentException>(() => new AuthStateMap().Set(room.Build("m.room.message", TestRoom.Alice, null, [])));
    }

    [Fact]
    public void AuthResult_Denied_CarriesReason()
    {
        Assert.Equal("denied: m.room.member: sender is banned", AuthResult.Denied("m.room.member: sender is banned").ToString());
        Assert.Null(AuthResult.Allowed.Reason);
    }
}
