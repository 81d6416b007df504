using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

public sealed class PowerLevelsTests
{
    public static TheoryData<string> Versions => TestRoom.AllVersions;

    [Theory]
    [MemberData(nameof(Versions))]
    public void From_NoPowerLevelsEvent_SpecDefaults(string id)
    {
        using TestRoom room = TestRoom.New(id);

        PowerLevels levels = PowerLevels.FromState(room.Version, room.State);

        Assert.False(levels.HasPowerLevelsEvent);
        Assert.Equal((0, 0, 50, 50, 50, 50, 0), (levels.UsersDefault, levels.EventsDefault, levels.StateDefault, levels.Ban, levels.Kick, levels.Redact, levels.Invite));
        Assert.Equal(50, levels.RoomNotification);
        Assert.Equal(0, levels.GetUserLevel(TestRoom.Alice));
        Assert.Equal(50, levels.GetRequiredLevel("m.room.name", isState: true));
        Assert.Equal(0, levels.GetRequiredLevel("m.room.message", isState: false));
    }

    [Theory]
    [InlineData("10", 100)]
    [InlineData("11", 100)]
    [InlineData("12", PowerLevels.Infinite)]
    public void GetUserLevel_CreatorWithoutPowerLevels_HundredOrInfinite(string id, long expected)
    {
        using TestRoom room = TestRoom.New(id);

        Assert.Equal(expected, PowerLevels.FromState(room.Version, room.State).GetUserLevel(UserId.Parse(TestRoom.Creator)));
    }

    [Fact]
    public void GetUserLevel_V10CreatorFromContent_NotSender()
    {
        using TestRoom room = TestRoom.New(RoomVersions.V10, new JsonObject { ["creator"] = TestRoom.Alice });

        PowerLevels levels = PowerLevels.FromState(room.Version, room.State);

        Assert.Equal(100, levels.GetUserLevel(TestRoom.Alice));
        Assert.Equal(0, levels.GetUserLevel(TestRoom.Creator));
    }

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    public void GetUserLevel_CreatorWithPowerLevelsBeforeV12_ReadFromUsers(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetPowerLevels(new JsonObject { ["users"] = new JsonObject { [TestRoom.Creator] = 100, [TestRoom.Admin] = 100 } });
        room.SetPowerLevels(new JsonObject { ["users"] = new JsonObject { [TestRoom.Admin] = 100 }, ["users_default"] = 3 });

        Assert.Equal(3, PowerLevels.FromState(room.Version, room.State).GetUserLevel(TestRoom.Creator));
    }

    [Fact]
    public void GetUserLevel_V12Creators_InfiniteWhateverPowerLevelsSay()
    {
        using TestRoom room = TestRoom.New(RoomVersions.V12, new JsonObject { ["additional_creators"] = new JsonArray(TestRoom.Bob) });
        room.Join(TestRoom.Creator);
        room.SetPowerLevels(new JsonObject { ["users_default"] = 10, ["users"] = new JsonObject { [TestRoom.Admin] = 100 } });

        PowerLevels levels = PowerLevels.FromState(room.Version, room.State);

        Assert.Equal(PowerLevels.Infinite, levels.GetUserLevel(TestRoom.Creator));
        Assert.Equal(PowerLevels.Infinite, levels.GetUserLevel(TestRoom.Bob));
        Assert.True(levels.IsCreator(TestRoom.Bob));
        Assert.Equal(100, levels.GetUserLevel(TestRoom.Admin));
        Assert.Equal(10, levels.GetUserLevel(TestRoom.Alice));
        Assert.True(PowerLevels.Infinite > CanonicalJson.MaxSafeInteger);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void From_PowerLevelsEvent_ReadsEveryValue(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetPowerLevels(new JsonObject
        {
            ["users"] = new JsonObject { [TestRoom.Admin] = 100 },
            ["users_default"] = 1, ["events_default"] = 2, ["state_default"] = 3, ["ban"] = 4, ["kick"] = 5, ["redact"] = 6, ["invite"] = 7,
            ["events"] = new JsonObject { ["m.room.name"] = 8, ["m.room.message"] = 9 },
            ["notifications"] = new JsonObject { ["room"] = 11, ["org.example"] = 12 },
        });

        PowerLevels levels = PowerLevels.FromState(room.Version, room.State);

        Assert.Equal((1, 2, 3, 4, 5, 6, 7), (levels.UsersDefault, levels.EventsDefault, levels.StateDefault, levels.Ban, levels.Kick, levels.Redact, levels.Invite));
        Assert.Equal(8, levels.GetRequiredLevel("m.room.name", isState: true));
        Assert.Equal(9, levels.GetRequiredLevel("m.room.message", isState: false));
        Assert.Equal(3, levels.GetRequiredLevel("m.room.topic", isState: true));
        Assert.Equal(2, levels.GetRequiredLevel("m.reaction", isState: false));
        Assert.Equal(11, levels.RoomNotification);
        Assert.Equal(12, levels.NotificationLevel("org.example"));
        Assert.Equal(100, levels.Users[TestRoom.Admin]);
    }

    [Fact]
    public void From_StringValuesInIntegerOnlyVersion_ReadAsDefaults()
    {
        // Such an event fails rule 9.1, but if one is read anyway its strings count as absent.
        using TestRoom room = TestRoom.Standard(RoomVersions.V11);
        Pdu stringy = room.Build(EventTypes.PowerLevels, TestRoom.Creator, "", new JsonObject
        {
            ["ban"] = "10", ["users"] = new JsonObject { [TestRoom.Alice] = "60" },
        });

        PowerLevels levels = PowerLevels.From(RoomVersions.V11, room.Create, stringy);

        Assert.Equal(PowerLevels.DefaultBan, levels.Ban);
        Assert.Equal(0, levels.GetUserLevel(TestRoom.Alice));
    }

    [Fact]
    public void From_StringValuesWhereVersionAllowsThem_Parsed()
    {
        // Fragment "m.room.power_levels events accept values as strings" (versions before 10).
        RoomVersion stringy = RoomVersions.V10 with { Id = "10-stringy", IntegerOnlyPowerLevels = false };
        using TestRoom room = TestRoom.Standard(RoomVersions.V10);
        Pdu levelsEvent = room.Build(EventTypes.PowerLevels, TestRoom.Creator, "", new JsonObject
        {
            ["ban"] = " +0075 ", ["kick"] = "-5", ["invite"] = "1.5", ["redact"] = "--3", ["state_default"] = "",
            ["users"] = new JsonObject { [TestRoom.Alice] = "000100" },
        });

        PowerLevels levels = PowerLevels.From(stringy, room.Create, levelsEvent);

        Assert.Equal(75, levels.Ban);
        Assert.Equal(-5, levels.Kick);
        Assert.Equal(PowerLevels.DefaultInvite, levels.Invite);
        Assert.Equal(PowerLevels.DefaultRedact, levels.Redact);
        Assert.Equal(PowerLevels.DefaultStateDefault, levels.StateDefault);
        Assert.Equal(100, levels.GetUserLevel(TestRoom.Alice));
    }
}
