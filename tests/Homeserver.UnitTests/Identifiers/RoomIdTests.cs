using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Xunit;

namespace Homeserver.UnitTests.Identifiers;

public sealed class RoomIdTests
{
    [Theory]
    [InlineData("!abc123:matrix.org", "abc123", "matrix.org")]
    [InlineData("!abc:example.org:8448", "abc", "example.org:8448")]
    [InlineData("!a:[::1]:8448", "a", "[::1]:8448")]
    [InlineData("!déjà-vu:example.org", "déjà-vu", "example.org")]
    public void TryParse_ServerForm_SplitsAtFirstColon(string text, string opaque, string server)
    {
        Assert.True(RoomId.TryParse(text, out RoomId? id));
        Assert.Equal(opaque, id.Value.Opaque);
        Assert.Equal(server, id.Value.ServerName);
        Assert.Equal(text, id.Value.ToString());
    }

    [Fact]
    public void TryParse_HashForm_HasNoServerName()
    {
        // The example room ID from the spec's pdu_v12 definition.
        Assert.True(RoomId.TryParse("!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ", out RoomId? id));

        Assert.Null(id.Value.ServerName);
        Assert.Equal("Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ", id.Value.Opaque);
        Assert.Equal("!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ", id.Value.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("!")]
    [InlineData("abc:matrix.org")]
    [InlineData("$abc:matrix.org")]
    [InlineData("!:matrix.org")]
    [InlineData("!abc:")]
    [InlineData("!abc:bad_server!")]
    [InlineData("!a\0b:matrix.org")]
    [InlineData("!has space")]
    [InlineData("!has.dot")]
    public void TryParse_Invalid_ReturnsFalse(string? text)
    {
        Assert.False(RoomId.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_LoneSurrogate_ReturnsFalse()
    {
        // A Fact, not InlineData: theory serialization would replace the lone surrogate with U+FFFD.
        Assert.False(RoomId.TryParse("!\ud800x:matrix.org", out _));
    }

    [Fact]
    public void TryParse_255Bytes_Accepted256Rejected()
    {
        string server = ":example.org";
        // "é" is two UTF-8 bytes, so characters and bytes diverge.
        string at255 = "!" + new string('é', (255 - 1 - server.Length) / 2) + server;
        Assert.Equal(255, System.Text.Encoding.UTF8.GetByteCount(at255));

        Assert.True(RoomId.TryParse(at255, out _));
        Assert.False(RoomId.TryParse(at255.Insert(1, "a"), out _));
    }

    [Fact]
    public void FromCreateEventId_SwapsSigil()
    {
        EventId createId = EventId.Parse("$Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ");

        Assert.Equal("!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ", RoomId.FromCreateEventId(createId).ToString());
    }

    [Fact]
    public void FromCreateEventId_ServerEventId_Throws()
    {
        Assert.Throws<ArgumentException>(() => RoomId.FromCreateEventId(EventId.Parse("$abc:example.org")));
    }

    [Fact]
    public void Create_ValidParts_FormatsServerForm()
    {
        Assert.Equal("!abc:example.org", RoomId.Create("abc", "example.org").ToString());
    }

    [Theory]
    [InlineData("a:b", "example.org")]
    [InlineData("", "example.org")]
    [InlineData("abc", "not a server")]
    public void Create_InvalidParts_Throws(string opaque, string server)
    {
        Assert.Throws<ArgumentException>(() => RoomId.Create(opaque, server));
    }

    [Fact]
    public void Parse_Invalid_ThrowsInvalidParam()
    {
        var ex = Assert.Throws<MatrixException>(() => RoomId.Parse("#alias:example.org"));
        Assert.Equal(ErrorCodes.InvalidParam, ex.Errcode);
    }

    [Fact]
    public void Equality_SameText_Equal()
    {
        Assert.Equal(RoomId.Parse("!a:example.org"), RoomId.Parse("!a:example.org"));
        Assert.NotEqual(RoomId.Parse("!a:example.org"), RoomId.Parse("!A:example.org"));
    }
}
