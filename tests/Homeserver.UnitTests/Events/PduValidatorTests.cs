using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Events;

/// <summary>Event format per room version (server-server definitions pdu_v6, pdu_v11, pdu_v12).</summary>
public sealed class PduValidatorTests : IDisposable
{
    private const string HashId = "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg";

    private readonly SigningKey _key = SpecVectors.CreateKey();

    public void Dispose() => _key.Dispose();

    [Theory]
    [InlineData("type")]
    [InlineData("sender")]
    [InlineData("room_id")]
    [InlineData("content")]
    [InlineData("depth")]
    [InlineData("origin_server_ts")]
    [InlineData("prev_events")]
    [InlineData("auth_events")]
    [InlineData("hashes")]
    [InlineData("signatures")]
    public void Validate_MissingRequiredKey_ThrowsBadJson(string key)
    {
        JsonObject json = ValidV11();
        json.Remove(key);

        Assert.Throws<InvalidEventException>(() => PduValidator.Validate(json, RoomVersions.V11));
    }

    [Theory]
    [InlineData("type", "5")]
    [InlineData("state_key", "null")]
    [InlineData("sender", "\"not-a-user\"")]
    [InlineData("room_id", "\"!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ\"")] // v12-style ID in a v11 room
    [InlineData("content", "[]")]
    [InlineData("depth", "\"3\"")]
    [InlineData("origin_server_ts", "1.5")]
    [InlineData("prev_events", "[\"$0:domain\"]")]
    [InlineData("auth_events", "{}")]
    [InlineData("hashes", "{\"sha256\": 1}")]
    [InlineData("signatures", "{\"domain\": \"sig\"}")]
    [InlineData("unsigned", "[]")]
    [InlineData("event_id", "\"nope\"")]
    public void Validate_WrongShape_ThrowsBadJson(string key, string value)
    {
        JsonObject json = ValidV11();
        json[key] = JsonNode.Parse(value);

        Assert.Throws<InvalidEventException>(() => PduValidator.Validate(json, RoomVersions.V11));
    }

    [Theory]
    [InlineData(9_007_199_254_740_991L, true)]
    [InlineData(9_007_199_254_740_992L, false)]
    [InlineData(-9_007_199_254_740_992L, false)]
    public void Validate_IntegerInContent_MustBeInCanonicalRange(long value, bool accepted)
    {
        JsonObject json = ValidV11();
        json["content"]!["n"] = value;

        Exception? ex = Record.Exception(() => PduValidator.Validate(json, RoomVersions.V11));

        Assert.Equal(accepted, ex is null);
        Assert.True(accepted || ex is InvalidEventException);
    }

    [Fact]
    public void Validate_TooManyAuthEvents_ThrowsBadJson()
    {
        JsonObject json = ValidV11();
        json["auth_events"] = new JsonArray(Enumerable.Repeat<JsonNode>(HashId, 11).Select(n => n.DeepClone()).ToArray());

        Assert.Throws<InvalidEventException>(() => PduValidator.Validate(json, RoomVersions.V11));
    }

    [Fact]
    public void Validate_V12CreateWithRoomId_ThrowsBadJson()
    {
        JsonObject json = Create(RoomVersions.V12);
        json["room_id"] = "!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ";

        Assert.Throws<InvalidEventException>(() => PduValidator.Validate(json, RoomVersions.V12));
    }

    [Fact]
    public void Validate_V12NonCreateWithServerRoomId_ThrowsBadJson()
    {
        JsonObject json = ValidV11();

        Assert.Throws<InvalidEventException>(() => PduValidator.Validate(json, RoomVersions.V12));
    }

    [Fact]
    public void Validate_V11CreateWithoutRoomId_ThrowsBadJson()
    {
        JsonObject json = Create(RoomVersions.V12);

        Assert.Throws<InvalidEventException>(() => PduValidator.Validate(json, RoomVersions.V11));
    }

    [Theory]
    [InlineData("10", "redacts", false)]
    [InlineData("11", "redacts", true)]
    public void Validate_MalformedRedactsWhereVersionReadsIt_ThrowsBadJson(string versionId, string key, bool inContent)
    {
        RoomVersions.TryGet(versionId, out RoomVersion? version);
        JsonObject json = ValidV11();
        json["type"] = EventTypes.Redaction;
        (inContent ? json["content"]!.AsObject() : json)[key] = "not-an-event-id";

        Assert.Throws<InvalidEventException>(() => PduValidator.Validate(json, version!));
    }

    [Fact]
    public void Validate_UnknownTopLevelKeys_Allowed()
    {
        JsonObject json = ValidV11();
        json["origin"] = "domain";
        json["com.example.extra"] = new JsonObject();

        PduValidator.Validate(json, RoomVersions.V11);
    }

    private JsonObject ValidV11()
    {
        Pdu pdu = new EventBuilder
        {
            RoomVersion = RoomVersions.V11, Type = "m.room.message", Sender = new UserId("a", "domain"), RoomId = RoomId.Create("r", "domain"),
            PrevEvents = [EventId.Parse(HashId)], AuthEvents = [EventId.Parse(HashId)], Depth = 2, OriginServerTs = 1,
        }.Build(_key);
        JsonObject json = (JsonObject)pdu.Json.DeepClone();
        PduValidator.Validate(json, RoomVersions.V11);
        return json;
    }

    private JsonObject Create(RoomVersion version) => (JsonObject)new EventBuilder
    {
        RoomVersion = version, Type = EventTypes.Create, StateKey = "", Sender = new UserId("a", "domain"),
        Content = new JsonObject { ["room_version"] = version.Id }, Depth = 1, OriginServerTs = 1,
    }.Build(_key).Json.DeepClone();
}
