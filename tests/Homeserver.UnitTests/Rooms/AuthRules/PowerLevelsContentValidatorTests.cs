using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>The content checks of rules 9.1–9.3 and v12 10.4, as the client API would call them before building an event.</summary>
public sealed class PowerLevelsContentValidatorTests
{
    private static readonly HashSet<string> NoCreators = [];

    [Theory]
    [InlineData(CanonicalJson.MaxSafeInteger, true)]
    [InlineData(-CanonicalJson.MaxSafeInteger, true)]
    [InlineData(CanonicalJson.MaxSafeInteger + 1, false)]
    [InlineData(-CanonicalJson.MaxSafeInteger - 1, false)]
    [InlineData(long.MaxValue, false)]
    public void Validate_LevelAtCanonicalJsonLimits_AcceptedOnlyWithinRange(long value, bool valid)
    {
        // Row 43: values above 2^53 − 1 are refused, in users in every version, in every other level from v10 (before,
        // rule 10.1 checks only users).
        foreach (RoomVersion version in RoomVersions.All)
        {
            var levels = new JsonObject { ["ban"] = value };
            var users = new JsonObject { ["users"] = new JsonObject { ["@alice:example.org"] = value } };

            Assert.Equal(valid || !version.IntegerOnlyPowerLevels, PowerLevelsContentValidator.Validate(version, levels, NoCreators) is null);
            Assert.Equal(valid, PowerLevelsContentValidator.Validate(version, users, NoCreators) is null);
        }
    }

    [Fact]
    public void Validate_FloatLevel_Refused()
    {
        Assert.NotNull(PowerLevelsContentValidator.Validate(RoomVersions.V12, new JsonObject { ["kick"] = 50.5 }, NoCreators));
        Assert.NotNull(PowerLevelsContentValidator.Validate(RoomVersions.V12, (JsonObject)JsonNode.Parse("""{"kick": 50.0}""")!, NoCreators));
    }

    [Fact]
    public void Validate_EmptyContent_Accepted()
    {
        foreach (RoomVersion version in RoomVersions.All)
        {
            Assert.Null(PowerLevelsContentValidator.Validate(version, [], NoCreators));
        }
    }

    [Fact]
    public void Validate_CreatorInUsers_RefusedOnlyWithPrivilegedCreators()
    {
        var content = new JsonObject { ["users"] = new JsonObject { [TestRoom.Creator] = 100 } };
        HashSet<string> creators = [TestRoom.Creator];

        Assert.Null(PowerLevelsContentValidator.Validate(RoomVersions.V11, content, creators));
        Assert.Contains("lists the room creator", PowerLevelsContentValidator.Validate(RoomVersions.V12, content, creators));
    }

    [Fact]
    public void Validate_StringsWhereVersionAllowsThem_AcceptedButUsersStillNeedUserIds()
    {
        RoomVersion stringy = RoomVersions.V10 with { Id = "10-stringy", IntegerOnlyPowerLevels = false };

        Assert.Null(PowerLevelsContentValidator.Validate(stringy, new JsonObject { ["ban"] = "50", ["users"] = new JsonObject { [TestRoom.Alice] = " 10 " } }, NoCreators));
        Assert.NotNull(PowerLevelsContentValidator.Validate(stringy, new JsonObject { ["users"] = new JsonObject { ["alice"] = 10 } }, NoCreators));
        Assert.NotNull(PowerLevelsContentValidator.Validate(RoomVersions.V10, new JsonObject { ["ban"] = "50" }, NoCreators));
    }
}
