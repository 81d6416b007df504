using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Membership;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Federation;

/// <summary>
/// A resident server's make_join answer is checked field by field before we sign anything on it: a template shaped to
/// make us sign another membership, another user's event, another room's, or content that grants something, is refused.
/// </summary>
public sealed class MembershipTemplateTests
{
    private static readonly RoomId Room = RoomId.Parse("!room:resident.example");
    private static readonly UserId User = UserId.Parse("@joiner:here.example");
    private const string PrevId = "$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";
    private const string AuthId = "$BCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqs";

    private static JsonObject Answer(string version = "10", Action<JsonObject>? change = null)
    {
        var ev = new JsonObject
        {
            ["type"] = "m.room.member",
            ["room_id"] = Room.ToString(),
            ["sender"] = User.ToString(),
            ["state_key"] = User.ToString(),
            ["content"] = new JsonObject { ["membership"] = "join" },
            ["prev_events"] = new JsonArray(PrevId),
            ["auth_events"] = new JsonArray(AuthId),
            ["depth"] = 7,
            ["origin_server_ts"] = 1,
        };
        change?.Invoke(ev);
        return new JsonObject { ["room_version"] = version, ["event"] = ev };
    }

    [Fact]
    public void AWellFormedTemplate_GivesOurSignedJoinOnItsParents()
    {
        using var key = SigningKey.Generate();
        var template = MembershipTemplate.Check(Answer(), Room, User, "join");
        var join = template.Build(Room, User, new JsonObject { ["membership"] = "join", ["displayname"] = "J" }, 1234, key);

        Assert.Equal("10", template.Version.Id);
        Assert.Equal([EventId.Parse(PrevId)], join.PrevEvents);
        Assert.Equal([EventId.Parse(AuthId)], join.AuthEvents);
        Assert.Equal(7, join.Depth);
        Assert.Equal(1234, join.OriginServerTs);
        Assert.Equal("join", join.Content["membership"]!.GetValue<string>());
        Assert.True(join.Signatures.ContainsKey("here.example"));
    }

    public static TheoryData<string, string> Hostile => new()
    {
        { "membership invite", """{"membership":"invite"}""" },
        { "membership ban", """{"membership":"ban"}""" },
        { "third-party invite", """{"membership":"join","third_party_invite":{"signed":{}}}""" },
        { "unknown key", """{"membership":"join","power":100}""" },
        { "authoriser outside restricted versions", """{"membership":"join","join_authorised_via_users_server":"@x:resident.example"}""" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileContent_IsRefused(string _, string content) =>
        Assert.Throws<RemoteRoomException>(() =>
            MembershipTemplate.Check(Answer("7", e => e["content"] = JsonNode.Parse(content)), Room, User, "join"));

    [Theory]
    [InlineData("type", "m.room.power_levels")]
    [InlineData("state_key", "@someone:else.example")]
    [InlineData("sender", "@someone:else.example")]
    [InlineData("room_id", "!other:resident.example")]
    public void AnotherEventThanOurJoin_IsRefused(string field, string value) =>
        Assert.Throws<RemoteRoomException>(() => MembershipTemplate.Check(Answer(change: e => e[field] = value), Room, User, "join"));

    [Fact]
    public void UnsupportedRoomVersionOrBrokenParents_AreRefused()
    {
        Assert.Throws<RemoteRoomException>(() => MembershipTemplate.Check(Answer("999"), Room, User, "join"));
        Assert.Throws<RemoteRoomException>(() => MembershipTemplate.Check(Answer(change: e => e["prev_events"] = new JsonArray()), Room, User, "join"));
        Assert.Throws<RemoteRoomException>(() => MembershipTemplate.Check(Answer(change: e => e["prev_events"] = new JsonArray("not an id")), Room, User, "join"));
        Assert.Throws<RemoteRoomException>(() => MembershipTemplate.Check(Answer(change: e => e["depth"] = "7"), Room, User, "join"));
        Assert.Throws<RemoteRoomException>(() => MembershipTemplate.Check(new JsonObject { ["room_version"] = "10" }, Room, User, "join"));
    }

    [Fact]
    public void ALeaveTemplate_IsNoJoinTemplate() =>
        Assert.Throws<RemoteRoomException>(() => MembershipTemplate.Check(Answer(), Room, User, "leave"));

    [Fact]
    public void ARestrictedJoinsAuthoriser_IsKeptInOurContent()
    {
        using var key = SigningKey.Generate();
        var template = MembershipTemplate.Check(
            Answer("10", e => e["content"] = new JsonObject { ["membership"] = "join", ["join_authorised_via_users_server"] = "@mod:resident.example" }),
            Room, User, "join");
        var join = template.Build(Room, User, new JsonObject { ["membership"] = "join" }, 1, key);
        Assert.Equal("@mod:resident.example", join.Content["join_authorised_via_users_server"]!.GetValue<string>());
    }
}
