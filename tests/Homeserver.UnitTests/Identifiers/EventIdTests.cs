using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Xunit;

namespace Homeserver.UnitTests.Identifiers;

public sealed class EventIdTests
{
    [Theory]
    [InlineData("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg")] // v4+ example from the spec
    [InlineData("$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk")] // v3 standard Base64
    public void TryParse_HashForm_RoundTrips(string text)
    {
        Assert.True(EventId.TryParse(text, out EventId? id));
        Assert.Null(id.Value.ServerName);
        Assert.Equal(text[1..], id.Value.Opaque);
        Assert.Equal(text, id.Value.ToString());
    }

    [Fact]
    public void TryParse_ServerForm_SplitsServer()
    {
        Assert.True(EventId.TryParse("$0:domain", out EventId? id));

        Assert.Equal("0", id.Value.Opaque);
        Assert.Equal("domain", id.Value.ServerName);
        Assert.Equal("$0:domain", id.Value.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("$")]
    [InlineData("!abc")]
    [InlineData("$abc def")]
    [InlineData("$abc=")]
    [InlineData("$:domain")]
    [InlineData("$a:")]
    public void TryParse_Invalid_ReturnsFalse(string? text)
    {
        Assert.False(EventId.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Over255Bytes_ReturnsFalse()
    {
        Assert.True(EventId.TryParse("$" + new string('a', 254), out _));
        Assert.False(EventId.TryParse("$" + new string('a', 255), out _));
    }

    [Fact]
    public void FromReferenceHash_UsesUrlSafeUnpaddedBase64()
    {
        byte[] hash = Enumerable.Repeat((byte)0xFF, 32).ToArray();

        EventId id = EventId.FromReferenceHash(hash);

        // 0xFF bytes encode as "/" in standard Base64 and "_" in the URL-safe alphabet.
        Assert.Equal("$" + new string('_', 42) + "8", id.ToString());
        Assert.Equal(44, id.ToString().Length);
    }

    [Fact]
    public void Parse_Invalid_ThrowsInvalidParam()
    {
        var ex = Assert.Throws<MatrixException>(() => EventId.Parse("not-an-id"));
        Assert.Equal(ErrorCodes.InvalidParam, ex.Errcode);
    }
}
