using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>
/// Rule 9 of v6–v11 (rule 10 of v1–v5 and v12), m.room.power_levels. The standard room gives Admin 100, Mod 50 and
/// Alice the default 0; Mod is the usual sender, so "above the sender" means above 50.
/// </summary>
public sealed class PowerLevelsRuleTests
{
    public static TheoryData<string> Versions => TestRoom.AllVersions;

    public static TheoryData<string> IntegerOnlyVersions => TestRoom.VersionsWhere(v => v.IntegerOnlyPowerLevels);

    public static TheoryData<string> StringLevelVersions => TestRoom.VersionsWhere(v => !v.IntegerOnlyPowerLevels);

    public static TheoryData<string> NotificationsVersions => TestRoom.VersionsWhere(v => v.PowerLevelsRuleChecksNotifications);

    public static TheoryData<string> VersionsWithoutNotifications => TestRoom.VersionsWhere(v => !v.PowerLevelsRuleChecksNotifications);

    /// <summary>The standard room, with Mod allowed to send power levels at all (rule 7) and <paramref name="extra"/> set.</summary>
    private static TestRoom RoomWithModSending(string id, JsonObject? extra = null)
    {
        TestRoom room = TestRoom.Standard(id);
        JsonObject levels = Current(room);
        levels["events"] = new JsonObject { [EventTypes.PowerLevels] = 50 };
        foreach ((string key, JsonNode? value) in extra ?? [])
        {
            levels[key] = value?.DeepClone();
        }

        room.SetPowerLevels(levels);
        return room;
    }

    private static JsonObject Current(TestRoom room) => (JsonObject)room.State.Get(EventTypes.PowerLevels, "")!.Content.DeepClone();

    private static AuthResult ModSends(TestRoom room, Action<JsonObject> change)
    {
        JsonObject levels = Current(room);
        change(levels);
        return room.Check(room.PowerLevelsChange(TestRoom.Mod, levels));
    }

    public static TheoryData<string, string> NonIntegerLevels => new()
    {
        { "10", "ban" }, { "11", "users_default" }, { "12", "events_default" }, { "10", "state_default" },
        { "11", "redact" }, { "12", "kick" }, { "12", "invite" },
    };

    [Theory]
    [MemberData(nameof(NonIntegerLevels))]
    public void PowerLevels_StringLevel_Denied(string id, string key)
    {
        // Rule 9.1 (v10+), checklist row 90: "50" is refused where older versions took it.
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = Current(room);
        levels[key] = "50";

        AuthAssert.Denied(room.Check(room.PowerLevelsChange(TestRoom.Creator, levels)), $"m.room.power_levels: '{key}' is not an integer");
    }

    [Theory]
    [MemberData(nameof(IntegerOnlyVersions))]
    public void PowerLevels_BooleanOrNullLevel_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = Current(room);
        levels["kick"] = true;
        JsonObject nullLevels = Current(room);
        nullLevels["ban"] = null;

        AuthAssert.Denied(room.Check(room.PowerLevelsChange(TestRoom.Creator, levels)), "'kick' is not an integer");
        AuthAssert.Denied(room.Check(room.PowerLevelsChange(TestRoom.Creator, nullLevels)), "'ban' is not an integer");
    }

    [Theory]
    [MemberData(nameof(StringLevelVersions))]
    public void PowerLevels_StringLevelsBeforeV10_ReadAsIntegers(string id)
    {
        // Fragment "v1-stringy-power-levels": strings holding integers count as those integers, sign, leading zeroes
        // and surrounding whitespace included; so Mod (50) cannot grant " +051 ", nor send a users entry that is no integer.
        using TestRoom room = RoomWithModSending(id);

        AuthAssert.Allowed(ModSends(room, l => l["ban"] = "0050"));
        AuthAssert.Allowed(ModSends(room, l => l["users"]![TestRoom.Alice] = " 40 "));
        AuthAssert.Denied(ModSends(room, l => l["users"]![TestRoom.Alice] = " +051 "), $"{TestRoom.Alice} cannot be given a level above the sender's");
        AuthAssert.Denied(ModSends(room, l => l["kick"] = "51"), "changing 'kick'");
        AuthAssert.Denied(ModSends(room, l => l["users"]![TestRoom.Alice] = "5.0"), "'users' is not an object of user IDs to integers");
    }

    [Theory]
    [MemberData(nameof(VersionsWithoutNotifications))]
    public void PowerLevels_NotificationsBeforeV6_NotGuarded(string id)
    {
        // Rules 10.4 and 10.5 of v1–v5 look at events only; v6 added notifications.
        using TestRoom room = RoomWithModSending(id, new JsonObject { ["notifications"] = new JsonObject { ["room"] = 75 } });

        AuthAssert.Allowed(ModSends(room, l => l["notifications"] = new JsonObject { ["room"] = 100 }));
        AuthAssert.Allowed(ModSends(room, l => l.Remove("notifications")));
        AuthAssert.Denied(ModSends(room, l => l["events"]!["m.room.topic"] = 51), "changing 'events.m.room.topic'");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void PowerLevels_AllIntegers_Allowed(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = Current(room);
        foreach (string key in PowerLevelsKeys.Levels)
        {
            levels[key] = 20;
        }

        levels["events"] = new JsonObject { ["m.room.name"] = 30 };
        levels["notifications"] = new JsonObject { ["room"] = 40 };

        AuthAssert.Allowed(room.Check(room.PowerLevelsChange(TestRoom.Creator, levels)));
    }

    [Theory]
    [InlineData("10", "events", """{"m.room.name": "50"}""")]
    [InlineData("11", "events", """["m.room.name"]""")]
    [InlineData("12", "notifications", """{"room": "50"}""")]
    [InlineData("12", "notifications", "50")]
    public void PowerLevels_MapWithNonIntegers_Denied(string id, string key, string json)
    {
        // Rule 9.2 (v10+).
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = Current(room);
        levels[key] = JsonNode.Parse(json);

        AuthAssert.Denied(room.Check(room.PowerLevelsChange(TestRoom.Creator, levels)), $"'{key}' is not an object of integers");
    }

    [Theory]
    [InlineData("10", """{"alice": 10}""")]
    [InlineData("11", """{"@alice:example.org": "10"}""")]
    [InlineData("12", """["@alice:example.org"]""")]
    [InlineData("12", """{"@alice": 10}""")]
    public void PowerLevels_UsersNotUserIdsToIntegers_Denied(string id, string json)
    {
        // Rule 9.3.
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = Current(room);
        levels["users"] = JsonNode.Parse(json);

        AuthAssert.Denied(room.Check(room.PowerLevelsChange(TestRoom.Creator, levels)), "'users' is not an object of user IDs to integers");
    }

    [Fact]
    public void PowerLevels_V12UsersListsCreator_Denied()
    {
        // v12 rule 10.4: creators cannot be given a (finite) level.
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        JsonObject levels = Current(room);
        levels["users"]![TestRoom.Creator] = 100;

        AuthAssert.Denied(room.Check(room.PowerLevelsChange(TestRoom.Creator, levels)), $"'users' lists the room creator {TestRoom.Creator}");
    }

    [Fact]
    public void PowerLevels_V12UsersListsAdditionalCreator_DeniedEvenAsFirstPowerLevels()
    {
        // 10.4 comes before 10.5, so it holds for the room's first power levels too.
        using TestRoom room = TestRoom.New(RoomVersions.V12, new JsonObject { ["additional_creators"] = new JsonArray(TestRoom.Alice) });
        room.Join(TestRoom.Creator);
        var levels = new JsonObject { ["users"] = new JsonObject { [TestRoom.Alice] = 100 } };

        AuthAssert.Denied(room.Check(room.PowerLevelsChange(TestRoom.Creator, levels)), $"lists the room creator {TestRoom.Alice}");
    }

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    public void PowerLevels_CreatorListedBeforeV12_Allowed(string id)
    {
        using TestRoom room = TestRoom.Standard(id);

        Assert.Equal(100, (int)Current(room)["users"]![TestRoom.Creator]!);
        AuthAssert.Allowed(room.Check(room.PowerLevelsChange(TestRoom.Creator, Current(room))));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void PowerLevels_FirstEvent_AllowedWhateverItGrants(string id)
    {
        // Rule 9.4: nothing to compare against, so the creator may grant anything.
        using TestRoom room = TestRoom.New(id);
        room.Join(TestRoom.Creator);
        var levels = new JsonObject { ["users"] = new JsonObject { [TestRoom.Alice] = 1_000 }, ["ban"] = CanonicalJson.MaxSafeInteger };

        AuthAssert.Allowed(room.Check(room.PowerLevelsChange(TestRoom.Creator, levels)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void PowerLevels_AddLevelUpToSender_Allowed(string id)
    {
        // Rule 9.5, within bounds: adding kick 40 (absent before) and changing invite 0 → 50.
        using TestRoom room = RoomWithModSending(id);

        AuthAssert.Allowed(ModSends(room, levels => { levels["kick"] = 40; levels["invite"] = 50; }));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void PowerLevels_NewLevelAboveSender_Denied(string id)
    {
        // Rule 9.5.2; the raw value counts, so even restating ban's default of 50 would pass, but 51 does not.
        using TestRoom room = RoomWithModSending(id);

        AuthAssert.Denied(ModSends(room, levels => levels["ban"] = 51), "changing 'ban' needs a level the sender does not have");
        AuthAssert.Allowed(ModSends(room, levels => levels["ban"] = 50));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void PowerLevels_CurrentLevelAboveSender_ChangeOrRemoveDenied(string id)
    {
        // Rule 9.5.1: redact is 75, above Mod, so Mod can neither lower nor remove it, but may restate it.
        using TestRoom room = RoomWithModSending(id, new JsonObject { ["redact"] = 75 });

        AuthAssert.Denied(ModSends(room, levels => levels["redact"] = 50), "changing 'redact'");
        AuthAssert.Denied(ModSends(room, levels => levels.Remove("redact")), "changing 'redact'");
        AuthAssert.Allowed(ModSends(room, levels => levels["users_default"] = 5));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void PowerLevels_EventsEntryCurrentlyAboveSender_ChangeOrRemoveDenied(string id)
    {
        // Rule 9.6.
        using TestRoom room = RoomWithModSending(id);
        JsonObject levels = Current(room);
        levels["events"]!["m.room.topic"] = 75;
        room.SetPowerLevels(levels);

        AuthAssert.Denied(ModSends(room, l => l["events"]!.AsObject().Remove("m.room.topic")), "changing 'events.m.room.topic'");
        AuthAssert.Denied(ModSends(room, l => l["events"]!["m.room.topic"] = 0), "changing 'events.m.room.topic'");
        AuthAssert.Allowed(ModSends(room, l => l["events"]!["m.room.name"] = 0));
    }

    [Theory]
    [MemberData(nameof(NotificationsVersions))]
    public void PowerLevels_EventsOrNotificationsEntryAboveSender_AddDenied(string id)
    {
        // Rule 9.7.
        using TestRoom room = RoomWithModSending(id);

        AuthAssert.Denied(ModSends(room, l => l["events"]!["m.room.topic"] = 51), "changing 'events.m.room.topic'");
        AuthAssert.Denied(ModSends(room, l => l["notifications"] = new JsonObject { ["room"] = 51 }), "changing 'notifications.room'");
        AuthAssert.Allowed(ModSends(room, l => l["notifications"] = new JsonObject { ["room"] = 50 }));
    }

    [Theory]
    [MemberData(nameof(NotificationsVersions))]
    public void PowerLevels_NotificationsEntryCurrentlyAboveSender_RemoveDenied(string id)
    {
        using TestRoom room = RoomWithModSending(id, new JsonObject { ["notifications"] = new JsonObject { ["room"] = 75 } });

        AuthAssert.Denied(ModSends(room, l => l.Remove("notifications")), "changing 'notifications.room'");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void PowerLevels_ChangeUserAtOrAboveSender_Denied(string id)
    {
        // Rule 9.8: Admin (100) is above Mod; a second 50 is Mod's equal, also out of reach.
        using TestRoom room = RoomWithModSending(id);
        JsonObject levels = Current(room);
        levels["users"]!["@mod2:example.org"] = 50;
        room.SetPowerLevels(levels);

        AuthAssert.Denied(ModSends(room, l => l["users"]![TestRoom.Admin] = 0), $"{TestRoom.Admin} has a level at or above the sender's");
        AuthAssert.Denied(ModSends(room, l => l["users"]!.AsObject().Remove("@mod2:example.org")), "@mod2:example.org has a level at or above the sender's");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void PowerLevels_DemoteSelfOrChangeLowerUser_Allowed(string id)
    {
        // Rule 9.8 exempts the sender's own entry; Alice (10) is below Mod.
        using TestRoom room = RoomWithModSending(id);
        JsonObject levels = Current(room);
        levels["users"]![TestRoom.Alice] = 10;
        room.SetPowerLevels(levels);

        AuthAssert.Allowed(ModSends(room, l => l["users"]![TestRoom.Mod] = 0));
        AuthAssert.Allowed(ModSends(room, l => l["users"]!.AsObject().Remove(TestRoom.Alice)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void PowerLevels_RaiseUserAboveSender_Denied(string id)
    {
        // Rule 9.9: up to the sender's own level only.
        using TestRoom room = RoomWithModSending(id);

        AuthAssert.Allowed(ModSends(room, l => l["users"]![TestRoom.Alice] = 50));
        AuthAssert.Denied(ModSends(room, l => l["users"]![TestRoom.Alice] = 51), $"{TestRoom.Alice} cannot be given a level above the sender's");
        AuthAssert.Denied(ModSends(room, l => l["users"]![TestRoom.Mod] = 51), $"{TestRoom.Mod} cannot be given a level above the sender's");
    }

    [Fact]
    public void PowerLevels_V12CreatorGrantsAnything_Allowed()
    {
        // Infinite power: every 10.6–10.10 comparison passes.
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        JsonObject levels = Current(room);
        levels["users"]![TestRoom.Admin] = CanonicalJson.MaxSafeInteger;
        levels["state_default"] = CanonicalJson.MaxSafeInteger;

        AuthAssert.Allowed(room.Check(room.PowerLevelsChange(TestRoom.Creator, levels)));
    }

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    public void PowerLevels_CreatorBeforeV12IsBoundByOwnLevel_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = Current(room);
        levels["users"]![TestRoom.Alice] = 101;

        AuthAssert.Denied(room.Check(room.PowerLevelsChange(TestRoom.Creator, levels)), "cannot be given a level above the sender's");
    }

    [Theory]
    [MemberData(nameof(IntegerOnlyVersions))]
    public void PowerLevels_WithAnotherStateKey_StillChecked(string id)
    {
        // Rule 9 keys on the type: a non-room power levels entry is held to the same shape.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Build(EventTypes.PowerLevels, TestRoom.Admin, "x", new JsonObject { ["ban"] = "1" })), "'ban' is not an integer");
    }

    [Fact]
    public void PowerLevels_AboveMaxSafeInteger_CannotBeBuilt()
    {
        // Row 43: 2^53 is outside canonical JSON, so no such event can be read or built (see also
        // PowerLevelsContentValidatorTests for the rule's own check).
        using TestRoom room = TestRoom.Standard(RoomVersions.V12);
        JsonObject levels = Current(room);
        levels["users"]![TestRoom.Admin] = CanonicalJson.MaxSafeInteger + 1;

        Assert.Throws<InvalidEventException>(() => room.PowerLevelsChange(TestRoom.Creator, levels));
    }
}
