using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Xunit;

namespace Homeserver.UnitTests.Identifiers;

public sealed class RoomAliasTests
{
    [Theory]
    [InlineData("#room:example.org", "room", "example.org")]
    [InlineData("#room:example.org:8448", "room", "example.org:8448")]
    [InlineData("#Café Ünïcode!:example.org", "Café Ünïcode!", "example.org")]
    public void TryParse_Valid_SplitsParts(string text, string localpart, string server)
    {
        Assert.True(RoomAlias.TryParse(text, out RoomAlias? alias));
        Assert.Equal(new RoomAlias(localpart, server), alias);
        Assert.Equal(text, alias.Value.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("#room")]
    [InlineData("room:example.org")]
    [InlineData("#:example.org")]
    [InlineData("#room:")]
    [InlineData("#ro\0om:example.org")]
    [InlineData("#room:exa mple.org")]
    public void TryParse_Invalid_ReturnsFalse(string? text)
    {
        Assert.False(RoomAlias.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_255Bytes_Accepted256Rejected()
    {
        string suffix = ":example.org";
        string at255 = "#" + new string('€', (255 - 1 - suffix.Length) / 3) + suffix; // '€' is 3 bytes
        at255 = at255.Insert(1, new string('a', 255 - System.Text.Encoding.UTF8.GetByteCount(at255)));
        Assert.Equal(255, System.Text.Encoding.UTF8.GetByteCount(at255));

        Assert.True(RoomAlias.TryParse(at255, out _));
        Assert.False(RoomAlias.TryParse(at255.Insert(1, "a"), out _));
    }

    [Fact]
    public void Parse_Invalid_ThrowsInvalidParam()
    {
        var ex = Assert.Throws<MatrixException>(() => RoomAlias.Parse("!room:example.org"));
        Assert.Equal(ErrorCodes.InvalidParam, ex.Errcode);
    }
}
