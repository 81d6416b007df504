using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Events;

public sealed class PduTests : IDisposable
{
    private const string Target = "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg";

    private readonly SigningKey _key = SpecVectors.CreateKey();

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Accessors_StateEvent_ReadTypedValues()
    {
        Pdu pdu = new EventBuilder
        {
            RoomVersion = RoomVersions.V11, Type = EventTypes.Member, StateKey = "@b:domain", Sender = new UserId("a", "domain"),
            RoomId = RoomId.Create("r", "domain"), Content = new JsonObject { ["membership"] = "invite" },
            PrevEvents = [EventId.Parse(Target)], Depth = 4, OriginServerTs = 1234,
        }.Build(_key);

        Assert.Equal(EventTypes.Member, pdu.Type);
        Assert.Equal("@b:domain", pdu.StateKey);
        Assert.True(pdu.IsState);
        Assert.Equal(new UserId("a", "domain"), pdu.Sender);
        Assert.Equal(RoomId.Create("r", "domain"), pdu.RoomId);
        Assert.Equal(4, pdu.Depth);
        Assert.Equal(1234, pdu.OriginServerTs);
        Assert.Equal([EventId.Parse(Target)], pdu.PrevEvents);
        Assert.Empty(pdu.AuthEvents);
        Assert.Equal("invite", (string?)pdu.Content["membership"]);
        Assert.Null(pdu.Unsigned);
        Assert.Null(pdu.Redacts);
        Assert.Same(RoomVersions.V11, pdu.RoomVersion);
    }

    [Fact]
    public void IsState_EmptyStateKey_IsStillState()
    {
        Pdu pdu = new EventBuilder
        {
            RoomVersion = RoomVersions.V11, Type = "m.room.topic", StateKey = "", Sender = new UserId("a", "domain"),
            RoomId = RoomId.Create("r", "domain"), Depth = 4, OriginServerTs = 1,
        }.Build(_key);

        Assert.True(pdu.IsState);
        Assert.Equal("", pdu.StateKey);
    }

    [Theory]
    [InlineData("10", true, false, true)]   // v10: top level counts
    [InlineData("10", false, true, false)]  // v10: content.redacts means nothing
    [InlineData("11", false, true, true)]   // v11: content counts
    [InlineData("11", true, false, false)]  // v11: a top-level redacts is not the signed one
    public void Redacts_ReadFromVersionsLocationOnly(string versionId, bool topLevel, bool inContent, bool found)
    {
        RoomVersions.TryGet(versionId, out RoomVersion? version);
        var json = new JsonObject
        {
            ["type"] = EventTypes.Redaction, ["sender"] = "@a:domain", ["room_id"] = "!r:domain", ["content"] = new JsonObject(),
            ["depth"] = 2, ["prev_events"] = new JsonArray(), ["auth_events"] = new JsonArray(), ["origin_server_ts"] = 1,
        };
        if (topLevel)
        {
            json["redacts"] = Target;
        }

        if (inContent)
        {
            json["content"]!["redacts"] = Target;
        }

        EventSigner.Sign(json, version!, "domain", _key);

        Assert.Equal(found ? EventId.Parse(Target) : null, Pdu.FromJson(json, version!).Redacts);
    }

    [Fact]
    public void FromJson_Malformed_ThrowsBadJson()
    {
        var ex = Assert.Throws<InvalidEventException>(() => Pdu.FromJson(new JsonObject { ["type"] = "x" }, RoomVersions.V11));

        Assert.Equal("M_BAD_JSON", ex.Errcode);
    }

    [Fact]
    public void FromJson_BuiltEventJson_RoundTripsEventId()
    {
        Pdu built = new EventBuilder
        {
            RoomVersion = RoomVersions.V10, Type = "m.room.message", Sender = new UserId("a", "domain"),
            RoomId = RoomId.Create("r", "domain"), Depth = 1, OriginServerTs = 1,
        }.Build(_key);

        Pdu parsed = Pdu.FromJson(JsonNode.Parse(built.ToCanonicalJson())!.AsObject(), RoomVersions.V10);

        Assert.Equal(built.EventId, parsed.EventId);
        Assert.Equal(built.ToCanonicalJson(), parsed.ToCanonicalJson());
    }
}
