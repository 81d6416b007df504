using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Xunit;

namespace Homeserver.UnitTests.Events;

public sealed class RoomVersionsTests
{
    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    [InlineData("12")]
    public void TryGet_Supported_ReturnsVersion(string id)
    {
        Assert.True(RoomVersions.TryGet(id, out RoomVersion? version));
        Assert.Equal(id, version.Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("9")]
    [InlineData("1")]
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

    [Fact]
    public void Switches_MatchSpecPerVersion()
    {
        RoomVersion v10 = RoomVersions.V10, v11 = RoomVersions.V11, v12 = RoomVersions.V12;

        Assert.All(RoomVersions.All, v => Assert.Equal(EventIdFormat.UrlSafeReferenceHash, v.EventIdFormat));
        Assert.All(RoomVersions.All, v => Assert.True(v.IntegerOnlyPowerLevels && v.SupportsKnocking && v.SupportsRestrictedJoinRule && v.SupportsKnockRestrictedJoinRule));
        Assert.Same(RedactionRules.V9, v10.Redaction);
        Assert.Same(RedactionRules.V11, v11.Redaction);
        Assert.Same(RedactionRules.V11, v12.Redaction);
        Assert.Equal([true, false, false], [v10.CreatorInCreateContent, v11.CreatorInCreateContent, v12.CreatorInCreateContent]);
        Assert.Equal([false, true, true], [v10.RedactsInContent, v11.RedactsInContent, v12.RedactsInContent]);
        Assert.Equal([false, false, true], [v10.RoomIdIsCreateEventId, v11.RoomIdIsCreateEventId, v12.RoomIdIsCreateEventId]);
        Assert.Equal([false, false, true], [v10.PrivilegedCreators, v11.PrivilegedCreators, v12.PrivilegedCreators]);
        Assert.Equal(StateResolutionAlgorithm.V2, v11.StateResolution);
        Assert.Equal(StateResolutionAlgorithm.V2_1, v12.StateResolution);
    }

    [Theory]
    [InlineData("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg", true)]
    [InlineData("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zh", false)] // same hash, non-canonical trailing bits
    [InlineData("$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk", false)] // v3 alphabet
    [InlineData("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5", false)] // too short for SHA-256
    [InlineData("$0:domain", false)] // v1/v2 server form
    public void IsValidEventId_V4Format_OnlyCanonicalUrlSafeSha256(string text, bool valid)
    {
        Assert.All(RoomVersions.All, v => Assert.Equal(valid, v.IsValidEventId(EventId.Parse(text))));
    }

    [Theory]
    [InlineData("!abc:example.org", true, false)]
    [InlineData("!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ", false, true)]
    [InlineData("!notahash", false, false)]
    public void IsValidRoomId_ShapeDependsOnVersion(string text, bool validBefore12, bool valid12)
    {
        RoomId id = RoomId.Parse(text);

        Assert.Equal(validBefore12, RoomVersions.V10.IsValidRoomId(id));
        Assert.Equal(validBefore12, RoomVersions.V11.IsValidRoomId(id));
        Assert.Equal(valid12, RoomVersions.V12.IsValidRoomId(id));
    }
}
