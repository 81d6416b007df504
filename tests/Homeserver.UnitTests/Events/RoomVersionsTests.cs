using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Xunit;

namespace Homeserver.UnitTests.Events;

public sealed class RoomVersionsTests
{
    [Fact]
    public void All_ListsVersionsOneToTwelveInOrder()
    {
        Assert.Equal(Enumerable.Range(1, 12).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), RoomVersions.All.Select(v => v.Id));
        Assert.All(RoomVersions.All, v => Assert.True(RoomVersions.TryGet(v.Id, out RoomVersion? found) && ReferenceEquals(v, found)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("13")]
    [InlineData("01")]
    [InlineData("12 ")]
    [InlineData("org.matrix.msc2176")]
    public void TryGet_Unsupported_ReturnsFalse(string? id)
    {
        Assert.False(RoomVersions.TryGet(id, out _));
    }

    [Fact]
    public void Default_IsTwelve()
    {
        Assert.Same(RoomVersions.V12, RoomVersions.Default);
    }

    // One row per version, as each version's page describes it (spec "Room Versions").
    // Columns: event ID format, references with hashes, redaction, state resolution, then one digit per switch: aliases
    // rule, redactions in auth rules, notifications in the power levels rule, key validity, strict canonical JSON, knock,
    // restricted, knock_restricted, integer-only power levels, creator in content, redacts in content, hash room IDs,
    // privileged creators.
    public static TheoryData<string, EventIdFormat, bool, string, StateResolutionAlgorithm, string> SwitchTable => new()
    {
        { "1", EventIdFormat.ServerGenerated, true, "V1", StateResolutionAlgorithm.V1, "1100000001000" },
        { "2", EventIdFormat.ServerGenerated, true, "V1", StateResolutionAlgorithm.V2, "1100000001000" },
        { "3", EventIdFormat.ReferenceHash, false, "V1", StateResolutionAlgorithm.V2, "1000000001000" },
        { "4", EventIdFormat.UrlSafeReferenceHash, false, "V1", StateResolutionAlgorithm.V2, "1000000001000" },
        { "5", EventIdFormat.UrlSafeReferenceHash, false, "V1", StateResolutionAlgorithm.V2, "1001000001000" },
        { "6", EventIdFormat.UrlSafeReferenceHash, false, "V6", StateResolutionAlgorithm.V2, "0011100001000" },
        { "7", EventIdFormat.UrlSafeReferenceHash, false, "V6", StateResolutionAlgorithm.V2, "0011110001000" },
        { "8", EventIdFormat.UrlSafeReferenceHash, false, "V8", StateResolutionAlgorithm.V2, "0011111001000" },
        { "9", EventIdFormat.UrlSafeReferenceHash, false, "V9", StateResolutionAlgorithm.V2, "0011111001000" },
        { "10", EventIdFormat.UrlSafeReferenceHash, false, "V9", StateResolutionAlgorithm.V2, "0011111111000" },
        { "11", EventIdFormat.UrlSafeReferenceHash, false, "V11", StateResolutionAlgorithm.V2, "0011111110100" },
        { "12", EventIdFormat.UrlSafeReferenceHash, false, "V11", StateResolutionAlgorithm.V2_1, "0011111110111" },
    };

    [Theory]
    [MemberData(nameof(SwitchTable))]
    public void Switches_MatchSpecPerVersion(
        string id, EventIdFormat idFormat, bool referencesWithHashes, string redaction, StateResolutionAlgorithm stateResolution, string flags)
    {
        Assert.True(RoomVersions.TryGet(id, out RoomVersion? v));
        var redactionRules = new Dictionary<string, RedactionRules>
        {
            ["V1"] = RedactionRules.V1, ["V6"] = RedactionRules.V6, ["V8"] = RedactionRules.V8, ["V9"] = RedactionRules.V9, ["V11"] = RedactionRules.V11,
        };

        Assert.Equal(idFormat, v.EventIdFormat);
        Assert.Equal(referencesWithHashes, v.EventReferencesCarryHashes);
        Assert.Same(redactionRules[redaction], v.Redaction);
        Assert.Equal(stateResolution, v.StateResolution);
        bool[] actual =
        [
            v.SpecialCasesAliases, v.RedactionsInAuthRules, v.PowerLevelsRuleChecksNotifications, v.EnforcesKeyValidity,
            v.StrictCanonicalJson, v.SupportsKnocking, v.SupportsRestrictedJoinRule, v.SupportsKnockRestrictedJoinRule,
            v.IntegerOnlyPowerLevels, v.CreatorInCreateContent, v.RedactsInContent, v.RoomIdIsCreateEventId, v.PrivilegedCreators,
        ];
        Assert.Equal(flags.Select(c => c == '1'), actual);
    }

    [Fact]
    public void RedactionRules_EachVersionAddsItsKeys()
    {
        Assert.True(RedactionRules.V1.KeepAliasesAliases);
        Assert.Equal(RedactionRules.V1 with { KeepAliasesAliases = false }, RedactionRules.V6);
        Assert.Equal(RedactionRules.V6 with { KeepJoinRulesAllow = true }, RedactionRules.V8);
        Assert.Equal(RedactionRules.V8 with { KeepMemberJoinAuthorisedViaUsersServer = true }, RedactionRules.V9);
    }

    [Theory]
    [InlineData("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg", true)]
    [InlineData("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zh", false)] // same hash, non-canonical trailing bits
    [InlineData("$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk", false)] // v3 alphabet
    [InlineData("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5", false)] // too short for SHA-256
    [InlineData("$0:domain", false)] // v1/v2 server form
    public void IsValidEventId_V4Format_OnlyCanonicalUrlSafeSha256(string text, bool valid)
    {
        Assert.All(RoomVersions.All.Where(v => v.EventIdFormat == EventIdFormat.UrlSafeReferenceHash),
            v => Assert.Equal(valid, v.IsValidEventId(EventId.Parse(text))));
    }

    [Theory]
    [InlineData("$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk", false, true)]
    [InlineData("$CD66HAED5npg6074c6pDtLKalHjVfYb2q4Q3LZgrW6o", false, true)] // the spec's v3 example, valid in either alphabet
    [InlineData("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg", false, false)] // v4 alphabet
    [InlineData("$a4ecee13e2accdadf56c1025:example.com", true, false)]
    [InlineData("$0:domain", true, false)]
    public void IsValidEventId_V1AndV3Formats(string text, bool validV1, bool validV3)
    {
        Assert.Equal(validV1, RoomVersions.V1.IsValidEventId(EventId.Parse(text)));
        Assert.Equal(validV1, RoomVersions.V2.IsValidEventId(EventId.Parse(text)));
        Assert.Equal(validV3, RoomVersions.V3.IsValidEventId(EventId.Parse(text)));
    }

    [Theory]
    [InlineData("!abc:example.org", true, false)]
    [InlineData("!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ", false, true)]
    [InlineData("!notahash", false, false)]
    public void IsValidRoomId_ShapeDependsOnVersion(string text, bool validBefore12, bool valid12)
    {
        RoomId id = RoomId.Parse(text);

        Assert.All(RoomVersions.All.Where(v => v != RoomVersions.V12), v => Assert.Equal(validBefore12, v.IsValidRoomId(id)));
        Assert.Equal(valid12, RoomVersions.V12.IsValidRoomId(id));
    }
}
