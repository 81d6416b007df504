using System.Text;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Events;

/// <summary>Client-server API "Size limits": 65,536 bytes of canonical JSON with signatures; 255 UTF-8 bytes per key.</summary>
public sealed class EventSizeLimitTests : IDisposable
{
    private readonly SigningKey _key = SpecVectors.CreateKey();

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Build_Exactly65536BytesSigned_Accepted()
    {
        Pdu pdu = Message(PaddingFor(65_536)).Build(_key);

        Assert.Equal(65_536, pdu.ToCanonicalJson().Length);
        Assert.True(pdu.Signatures.ContainsKey("domain"));
    }

    [Fact]
    public void Build_65537BytesSigned_RejectedAsTooLarge()
    {
        var ex = Assert.Throws<EventTooLargeException>(() => Message(PaddingFor(65_537)).Build(_key));

        Assert.Equal(EventSizeLimit.Event, ex.Limit);
        Assert.Equal(65_537, ex.ActualBytes);
        Assert.Equal(65_536, ex.MaxBytes);
        Assert.Equal(413, ex.Status);
        Assert.Equal("M_TOO_LARGE", ex.Errcode);
    }

    [Fact]
    public void Validate_SignaturesPushOver65536_Rejected()
    {
        // Fits before a second server signs it; the extra signature tips it over.
        Pdu pdu = Message(PaddingFor(65_536)).Build(_key);
        JsonObject json = (JsonObject)pdu.Json.DeepClone();
        json["signatures"]!["other.example"] = new JsonObject { ["ed25519:x"] = "c2ln" };

        var ex = Assert.Throws<EventTooLargeException>(() => PduValidator.Validate(json, RoomVersions.V11));
        Assert.Equal(EventSizeLimit.Event, ex.Limit);
    }

    [Theory]
    [InlineData(127, 1, true)]   // 254 + 1 = 255 bytes, 128 characters
    [InlineData(128, 0, false)]  // 256 bytes in only 128 characters
    [InlineData(0, 255, true)]
    [InlineData(0, 256, false)]
    public void Build_TypeBytes_LimitIs255Utf8Bytes(int twoByteChars, int asciiChars, bool accepted)
    {
        string type = new string('é', twoByteChars) + new string('t', asciiChars);
        EventBuilder builder = Message(0, type: type);

        AssertLimit(() => builder.Build(_key), accepted, EventSizeLimit.Type);
    }

    [Theory]
    [InlineData(85, true)]   // '€' is three bytes: 255
    [InlineData(86, false)]  // 258
    public void Build_StateKeyBytes_LimitIs255Utf8Bytes(int threeByteChars, bool accepted)
    {
        EventBuilder builder = Message(0, stateKey: new string('€', threeByteChars));

        AssertLimit(() => builder.Build(_key), accepted, EventSizeLimit.StateKey);
    }

    [Theory]
    [InlineData(246, true)]  // "@" + 246 + ":domain" = 254 bytes
    [InlineData(248, false)] // 256 bytes
    public void Build_SenderBytes_LimitIs255(int localpartLength, bool accepted)
    {
        EventBuilder builder = Message(0, sender: new UserId(new string('u', localpartLength), "domain"));

        AssertLimit(() => builder.Build(_key), accepted, EventSizeLimit.Sender);
    }

    [Theory]
    [InlineData("room_id", EventSizeLimit.RoomId)]
    [InlineData("event_id", EventSizeLimit.EventId)]
    public void Validate_IdOver255Bytes_Rejected(string key, EventSizeLimit limit)
    {
        JsonObject json = (JsonObject)Message(0).Build(_key).Json.DeepClone();
        char sigil = key == "room_id" ? '!' : '$';
        json[key] = sigil + new string('é', 124) + ":domain"; // 1 + 248 + 7 = 256 bytes

        var ex = Assert.Throws<EventTooLargeException>(() => PduValidator.Validate(json, RoomVersions.V11));
        Assert.Equal(limit, ex.Limit);
        Assert.Equal(256, ex.ActualBytes);
    }

    [Theory]
    [InlineData(9_007_199_254_740_991L, true)]
    [InlineData(0L, true)]
    [InlineData(-1L, false)]
    [InlineData(9_007_199_254_740_992L, false)]
    public void Validate_Depth_WithinZeroToMaxSafeInteger(long depth, bool accepted)
    {
        JsonObject json = (JsonObject)Message(0).Build(_key).Json.DeepClone();
        json["depth"] = depth;

        Exception? ex = Record.Exception(() => PduValidator.Validate(json, RoomVersions.V11));

        Assert.Equal(accepted, ex is null);
        Assert.True(accepted || ex is InvalidEventException);
    }

    private static void AssertLimit(Func<Pdu> build, bool accepted, EventSizeLimit limit)
    {
        if (accepted)
        {
            build();
            return;
        }

        var ex = Assert.Throws<EventTooLargeException>(() => build());
        Assert.Equal(limit, ex.Limit);
    }

    // Measures an event with an empty body, then pads the body by the difference: the hash and
    // signature have fixed lengths, so the signed size moves byte for byte with the padding.
    private int PaddingFor(int targetSize) => targetSize - Message(0).Build(_key).ToCanonicalJson().Length;

    private static EventBuilder Message(int padding, string type = "m.room.message", string? stateKey = null, UserId? sender = null) => new()
    {
        RoomVersion = RoomVersions.V11, Type = type, StateKey = stateKey, Sender = sender ?? new UserId("a", "domain"),
        RoomId = RoomId.Create("r", "domain"), Content = new JsonObject { ["body"] = new string('x', padding) },
        Depth = 1, OriginServerTs = 1,
    };
}
