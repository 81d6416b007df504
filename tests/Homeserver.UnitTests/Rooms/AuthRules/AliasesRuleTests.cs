using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>
/// Rule 4 of room versions 1–5: <c>m.room.aliases</c> is decided by its state key alone. Room version 6 removed it,
/// so from there the event is a state event like any other.
/// </summary>
public sealed class AliasesRuleTests
{
    public static TheoryData<string> AliasesVersions => TestRoom.VersionsWhere(v => v.SpecialCasesAliases);

    public static TheoryData<string> LaterVersions => TestRoom.VersionsWhere(v => !v.SpecialCasesAliases);

    private static readonly JsonObject Aliases = new() { ["aliases"] = new JsonArray("#room:other.org") };

    [Theory]
    [MemberData(nameof(AliasesVersions))]
    public void Aliases_OwnServersKeyWithoutMembership_Allowed(string id)
    {
        // Rule 4.3 comes before the membership check (rule 6): Bob's server may list its aliases without him joining.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Allowed(room.Check(room.Build(EventTypes.Aliases, TestRoom.Bob, "other.org", Aliases)));
    }

    [Theory]
    [MemberData(nameof(AliasesVersions))]
    public void Aliases_AnotherServersKeyOrNoStateKey_Denied(string id)
    {
        // Rules 4.1 and 4.2: even the room's admin cannot speak for another server.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Build(EventTypes.Aliases, TestRoom.Admin, "other.org", Aliases)), "the state_key is not the sender's server name");
        AuthAssert.Denied(room.Check(room.Build(EventTypes.Aliases, TestRoom.Admin, null, Aliases)), "m.room.aliases: it has no state_key");
    }

    [Theory]
    [MemberData(nameof(LaterVersions))]
    public void Aliases_FromV6_NeedMembershipAndLevel(string id)
    {
        // Without rule 4, Bob must be joined (rule 5) and Alice needs the state default, 50 (rule 7).
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Build(EventTypes.Aliases, TestRoom.Bob, "other.org", Aliases)), "the sender is not joined");
        AuthAssert.Denied(room.Check(room.Build(EventTypes.Aliases, TestRoom.Alice, "example.org", Aliases)), "below the required level 50");
        AuthAssert.Allowed(room.Check(room.Build(EventTypes.Aliases, TestRoom.Admin, "other.org", Aliases)));
    }
}
