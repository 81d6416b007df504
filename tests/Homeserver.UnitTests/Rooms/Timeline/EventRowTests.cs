using System.Text;
using Homeserver.Core.Rooms.Timeline;
using Xunit;

namespace Homeserver.UnitTests.Rooms.Timeline;

/// <summary>A row read as text and one read as UTF-8 must give the same PDU either way.</summary>
public sealed class EventRowTests
{
    private const string Pdu = """{"content":{"body":"é 😀 \u002B"},"type":"m.room.message"}""";

    [Fact]
    public void ReadAsText_GivesItsUtf8() =>
        Assert.Equal(Encoding.UTF8.GetBytes(Pdu), new EventRow { Json = Pdu }.JsonUtf8);

    [Fact]
    public void ReadAsUtf8_GivesItsText() =>
        Assert.Equal(Pdu, new EventRow { JsonUtf8 = Encoding.UTF8.GetBytes(Pdu) }.Json);

    [Fact]
    public void SettingOneForm_ReplacesTheOther()
    {
        var row = new EventRow { JsonUtf8 = Encoding.UTF8.GetBytes(Pdu) };
        _ = row.Json;
        row.Json = "{}";
        Assert.Equal("{}"u8.ToArray(), row.JsonUtf8);
        row.JsonUtf8 = "[]"u8.ToArray();
        Assert.Equal("[]", row.Json);
    }

    [Fact]
    public void ANewRow_HasNoPdu() => Assert.Equal("", new EventRow().Json);
}
