using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Events;

public sealed class EventBuilderTests : IDisposable
{
    // Computed independently (Python: hashlib, cryptography) for the v12 create event built below.
    private const string V12CreateHash = "7QPgeVIc188EYAG/HhZPnRoXW1GZVo6I3DHogiHu3Pw";
    private const string V12CreateSignature = "qz6oXBsJ2qkad09oswRaOUdkaWsVr/4Hyl3E2uocDQJMkJsXv277/qc0Erj8LZk3Rx9fZ5dTltDIuXrL0guaAQ";
    private const string V12CreateRoomId = "!4-2ENbnrTxCLmR4IxzzQAkhgP-8OcV381w503rnshCw";

    private readonly SigningKey _key = SpecVectors.CreateKey();

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Build_V12Create_DerivesRoomIdFromEventId()
    {
        Pdu create = V12Create().Build(_key);

        Assert.False(create.Json.ContainsKey("room_id"));
        Assert.Equal(V12CreateHash, create.ContentHash);
        Assert.Equal(V12CreateSignature, (string?)create.Signatures["domain"]!["ed25519:1"]);
        Assert.Equal(V12CreateRoomId, create.RoomId.ToString());
        Assert.Equal("$" + V12CreateRoomId[1..], create.EventId.ToString());
        Assert.Null(create.RoomId.ServerName);
    }

    [Fact]
    public void Build_V12Create_RoomIdEqualsReferenceHashOfRedactedEvent()
    {
        Pdu create = V12Create().Build(_key);

        // Spelled out per "Calculating the reference hash": redact, drop signatures/unsigned, SHA-256.
        JsonObject redacted = EventRedactor.Redact(create.Json, RoomVersions.V12);
        byte[] hash = System.Security.Cryptography.SHA256.HashData(CanonicalJson.EncodeWithout(redacted, "signatures", "unsigned"));

        Assert.Equal("!" + Homeserver.Core.Encodings.UnpaddedBase64.EncodeUrlSafe(hash), create.RoomId.ToString());
    }

    [Fact]
    public void Build_V12MessageInDerivedRoom_CarriesRoomIdAndDagFields()
    {
        Pdu create = V12Create().Build(_key);
        EventId authEvent = EventId.Parse("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg");

        Pdu message = new EventBuilder
        {
            RoomVersion = RoomVersions.V12, Type = "m.room.message", Sender = new UserId("a", "domain"), RoomId = create.RoomId,
            Content = new JsonObject { ["body"] = "hi", ["msgtype"] = "m.text" },
            PrevEvents = [create.EventId], AuthEvents = [authEvent], Depth = 2, OriginServerTs = 1_700_000_000_001,
        }.Build(_key);

        Assert.Equal(create.RoomId, message.RoomId);
        Assert.Equal([create.EventId], message.PrevEvents);
        Assert.Equal([authEvent], message.AuthEvents);
        Assert.Equal(2, message.Depth);
        Assert.Equal(1_700_000_000_001, message.OriginServerTs);
        Assert.False(message.IsState);
        Assert.Equal(EventVerification.Valid, EventVerifier.Verify(message.Json, RoomVersions.V12, "domain", "ed25519:1", _key.PublicKey));
        Assert.Equal(ReferenceHasher.ComputeEventId(message.Json, RoomVersions.V12), message.EventId);
    }

    [Fact]
    public void Build_V12CreateWithRoomId_Throws()
    {
        var builder = new EventBuilder
        {
            RoomVersion = RoomVersions.V12, Type = EventTypes.Create, StateKey = "", Sender = new UserId("a", "domain"),
            RoomId = RoomId.Parse(V12CreateRoomId), Depth = 1, OriginServerTs = 1,
        };

        Assert.Throws<ArgumentException>(() => builder.Build(_key));
    }

    [Theory]
    [InlineData("10", EventTypes.Create)]
    [InlineData("11", EventTypes.Create)]
    [InlineData("12", "m.room.message")]
    public void Build_MissingRoomId_Throws(string versionId, string type)
    {
        RoomVersions.TryGet(versionId, out RoomVersion? version);
        var builder = new EventBuilder { RoomVersion = version!, Type = type, Sender = new UserId("a", "domain"), Depth = 1, OriginServerTs = 1 };

        Assert.Throws<ArgumentException>(() => builder.Build(_key));
    }

    [Theory]
    [InlineData("10", false)]
    [InlineData("11", true)]
    [InlineData("12", true)]
    public void Build_Redaction_PlacesRedactsWhereVersionKeepsIt(string versionId, bool inContent)
    {
        RoomVersions.TryGet(versionId, out RoomVersion? version);
        EventId target = EventId.Parse("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg");

        Pdu redaction = new EventBuilder
        {
            RoomVersion = version!, Type = EventTypes.Redaction, Sender = new UserId("a", "domain"), RoomId = RoomIn(version!),
            Content = new JsonObject { ["reason"] = "spam" }, Redacts = target, Depth = 3, OriginServerTs = 1,
        }.Build(_key);

        Assert.Equal(inContent, redaction.Content.ContainsKey("redacts"));
        Assert.Equal(!inContent, redaction.Json.ContainsKey("redacts"));
        Assert.Equal(target, redaction.Redacts);
    }

    [Fact]
    public void Build_RedactsOnOtherType_Throws()
    {
        var builder = new EventBuilder
        {
            RoomVersion = RoomVersions.V11, Type = "m.room.message", Sender = new UserId("a", "domain"), RoomId = RoomId.Create("r", "domain"),
            Redacts = EventId.Parse("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg"), Depth = 1, OriginServerTs = 1,
        };

        Assert.Throws<ArgumentException>(() => builder.Build(_key));
    }

    [Fact]
    public void Build_CallerContent_IsCopiedNotAdopted()
    {
        var content = new JsonObject { ["body"] = "hi" };
        EventBuilder builder = new()
        {
            RoomVersion = RoomVersions.V11, Type = "m.room.message", Sender = new UserId("a", "domain"),
            RoomId = RoomId.Create("r", "domain"), Content = content, Depth = 1, OriginServerTs = 1,
        };

        Pdu first = builder.Build(_key);
        Pdu second = builder.Build(_key);

        Assert.Null(content.Parent);
        Assert.Equal(first.EventId, second.EventId);
    }

    [Fact]
    public void Build_FloatInContent_ThrowsBadJson()
    {
        var builder = new EventBuilder
        {
            RoomVersion = RoomVersions.V11, Type = "m.room.message", Sender = new UserId("a", "domain"),
            RoomId = RoomId.Create("r", "domain"), Content = JsonNode.Parse("""{"n": 1.5}""")!.AsObject(), Depth = 1, OriginServerTs = 1,
        };

        var ex = Assert.Throws<InvalidEventException>(() => builder.Build(_key));
        Assert.Equal("M_BAD_JSON", ex.Errcode);
        Assert.Equal(400, ex.Status);
    }

    [Fact]
    public void Build_TooManyPrevEvents_ThrowsBadJson()
    {
        var builder = new EventBuilder
        {
            RoomVersion = RoomVersions.V11, Type = "m.room.message", Sender = new UserId("a", "domain"), RoomId = RoomId.Create("r", "domain"),
            PrevEvents = Enumerable.Repeat(EventId.Parse("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg"), 21).ToList(), Depth = 1, OriginServerTs = 1,
        };

        Assert.Throws<InvalidEventException>(() => builder.Build(_key));
    }

    [Theory]
    [InlineData(new long[0], 1)]
    [InlineData(new long[] { 3, 7, 5 }, 8)]
    [InlineData(new long[] { 9_007_199_254_740_991 }, 9_007_199_254_740_991)]
    public void NextDepth_OneMoreThanDeepestParent_CappedAtMaxSafeInteger(long[] parents, long expected)
    {
        Assert.Equal(expected, EventBuilder.NextDepth(parents));
    }

    private static EventBuilder V12Create() => new()
    {
        RoomVersion = RoomVersions.V12, Type = EventTypes.Create, StateKey = "", Sender = new UserId("a", "domain"),
        Content = new JsonObject { ["room_version"] = "12", ["additional_creators"] = new JsonArray("@b:other") },
        Depth = 1, OriginServerTs = 1_700_000_000_000,
    };

    private static RoomId RoomIn(RoomVersion version) =>
        version.RoomIdIsCreateEventId ? RoomId.Parse(V12CreateRoomId) : RoomId.Create("r", "domain");
}
