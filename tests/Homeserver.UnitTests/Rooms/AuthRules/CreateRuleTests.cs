using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>Rule 1, m.room.create, in every version.</summary>
public sealed class CreateRuleTests
{
    public static TheoryData<string> Versions => TestRoom.AllVersions;

    public static TheoryData<string> ServerRoomIdVersions => new("10", "11");

    private static AuthResult Check(RoomVersion version, Pdu create) => EventAuthRules.Check(version, create, new AuthStateMap());

    [Theory]
    [MemberData(nameof(Versions))]
    public void Create_WellFormed_Allowed(string id)
    {
        RoomVersion version = TestRoom.VersionOf(id);

        AuthAssert.Allowed(Check(version, TestRoom.BuildCreate(version, TestRoom.CreateContent(version))));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Create_WithPrevEvents_Denied(string id)
    {
        // Rule 1.1.
        RoomVersion version = TestRoom.VersionOf(id);
        Pdu first = TestRoom.BuildCreate(version, TestRoom.CreateContent(version));

        Pdu second = TestRoom.BuildCreate(version, TestRoom.CreateContent(version), prevEvents: [first]);

        AuthAssert.Denied(Check(version, second), "m.room.create: it has prev_events");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Create_SentAgainInExistingRoom_Denied(string id)
    {
        // Row 43: a room's create event cannot be sent again; as a later event it has parents (rule 1.1).
        using TestRoom room = TestRoom.Standard(id);
        Pdu message = room.Send("m.room.message", TestRoom.Alice, null, new JsonObject { ["body"] = "hi" });

        Pdu again = TestRoom.BuildCreate(room.Version, TestRoom.CreateContent(room.Version), prevEvents: [message]);

        AuthAssert.Denied(room.Check(again), "it has prev_events");
    }

    [Theory]
    [MemberData(nameof(ServerRoomIdVersions))]
    public void Create_RoomIdOnAnotherServer_Denied(string id)
    {
        // v10/v11 rule 1.2.
        RoomVersion version = TestRoom.VersionOf(id);

        Pdu create = TestRoom.BuildCreate(version, TestRoom.CreateContent(version), roomServer: "other.org");

        AuthAssert.Denied(Check(version, create), "the room ID's domain is not the sender's");
    }

    [Fact]
    public void Create_V12WithRoomId_Denied()
    {
        // v12 rule 1.2: the event format already forbids it, so a Pdu cannot be read with one...
        Pdu create = TestRoom.BuildCreate(RoomVersions.V12, TestRoom.CreateContent(RoomVersions.V12));
        var json = (JsonObject)create.Json.DeepClone();
        json["room_id"] = create.RoomId.ToString();
        Assert.Throws<InvalidEventException>(() => Pdu.FromJson(json, RoomVersions.V12));

        // ...and the rule refuses it as well, should one be altered after reading.
        create.Json["room_id"] = create.RoomId.ToString();
        AuthAssert.Denied(Check(RoomVersions.V12, create), "m.room.create: it has a room_id");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Create_UnrecognisedRoomVersion_Denied(string id)
    {
        // Rule 1.3.
        RoomVersion version = TestRoom.VersionOf(id);
        JsonObject content = TestRoom.CreateContent(version);
        content["room_version"] = "999";

        AuthAssert.Denied(Check(version, TestRoom.BuildCreate(version, content)), "is not a recognised version");
    }

    [Theory]
    [InlineData("10", "11")]
    [InlineData("11", "12")]
    [InlineData("12", "10")]
    public void Create_DeclaresAnotherKnownVersion_Denied(string id, string declared)
    {
        RoomVersion version = TestRoom.VersionOf(id);
        JsonObject content = TestRoom.CreateContent(version);
        content["room_version"] = declared;

        AuthAssert.Denied(Check(version, TestRoom.BuildCreate(version, content)), $"is not room version {id}");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Create_WithoutRoomVersion_ReadAsVersionOne(string id)
    {
        // Rule 1.3 with the schema's default: a create event without room_version declares version 1.
        RoomVersion version = TestRoom.VersionOf(id);
        JsonObject content = TestRoom.CreateContent(version);
        content.Remove("room_version");

        AuthResult result = Check(version, TestRoom.BuildCreate(version, content));

        if (version == RoomVersions.V1)
        {
            AuthAssert.Allowed(result);
        }
        else
        {
            AuthAssert.Denied(result, $"content.room_version '1' is not room version {id}");
        }
    }

    [Fact]
    public void Create_V10WithoutCreator_Denied()
    {
        // v10 rule 1.4.
        JsonObject content = TestRoom.CreateContent(RoomVersions.V10);
        content.Remove("creator");

        AuthAssert.Denied(Check(RoomVersions.V10, TestRoom.BuildCreate(RoomVersions.V10, content)), "content has no creator");
    }

    [Theory]
    [InlineData("11")]
    [InlineData("12")]
    public void Create_WithoutCreatorFromV11_Allowed(string id)
    {
        // v11 removed rule 1.4: the sender is the creator.
        RoomVersion version = TestRoom.VersionOf(id);
        JsonObject content = TestRoom.CreateContent(version);

        Assert.False(content.ContainsKey("creator"));
        AuthAssert.Allowed(Check(version, TestRoom.BuildCreate(version, content)));
    }

    [Fact]
    public void Create_V12ValidAdditionalCreators_Allowed()
    {
        JsonObject content = TestRoom.CreateContent(RoomVersions.V12, extraContent: new JsonObject
        {
            ["additional_creators"] = new JsonArray(TestRoom.Alice, TestRoom.Bob),
        });

        AuthAssert.Allowed(Check(RoomVersions.V12, TestRoom.BuildCreate(RoomVersions.V12, content)));
    }

    public static TheoryData<string> BadAdditionalCreators => new(
        "\"@alice:example.org\"",
        "[\"not-a-user\"]",
        "[\"@alice:example.org\", 5]",
        "[[\"@alice:example.org\"]]",
        "{\"@alice:example.org\": true}");

    [Theory]
    [MemberData(nameof(BadAdditionalCreators))]
    public void Create_V12InvalidAdditionalCreators_Denied(string json)
    {
        // v12 rule 1.4.
        JsonObject content = TestRoom.CreateContent(RoomVersions.V12, extraContent: new JsonObject
        {
            ["additional_creators"] = JsonNode.Parse(json),
        });

        AuthAssert.Denied(Check(RoomVersions.V12, TestRoom.BuildCreate(RoomVersions.V12, content)), "additional_creators");
    }

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    public void Create_AdditionalCreatorsBeforeV12_NotValidated(string id)
    {
        // "In room versions 1 through 11, this field serves no purpose and is not validated."
        RoomVersion version = TestRoom.VersionOf(id);
        JsonObject content = TestRoom.CreateContent(version, extraContent: new JsonObject { ["additional_creators"] = "junk" });

        AuthAssert.Allowed(Check(version, TestRoom.BuildCreate(version, content)));
    }

    [Fact]
    public void Check_EventOfAnotherVersion_Throws()
    {
        Pdu create = TestRoom.BuildCreate(RoomVersions.V11, TestRoom.CreateContent(RoomVersions.V11));

        Assert.Throws<ArgumentException>(() => EventAuthRules.Check(RoomVersions.V12, create, new AuthStateMap()));
    }

    [Fact]
    public void Create_V12RoomId_IsCreateEventId()
    {
        Pdu create = TestRoom.BuildCreate(RoomVersions.V12, TestRoom.CreateContent(RoomVersions.V12));

        Assert.Equal(RoomId.FromCreateEventId(create.EventId), create.RoomId);
    }
}
