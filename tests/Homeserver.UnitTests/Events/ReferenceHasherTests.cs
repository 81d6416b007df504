using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Events;

/// <summary>
/// Reference hashes (server-server API, "Calculating the reference hash for an event"). The hash is
/// over the redacted event, which keeps <c>hashes</c>: content reaches the event ID only through the
/// content hash, and redaction-preserved keys reach it directly. Expected IDs were computed
/// independently in Python.
/// </summary>
public sealed class ReferenceHasherTests : IDisposable
{
    private readonly SigningKey _key = SpecVectors.CreateKey();

    public void Dispose() => _key.Dispose();

    [Theory]
    [InlineData("10", "$8yif6p8EqgoSten2BLje9ntKm720NyFLWQv9tn8memc")]
    [InlineData("11", "$70O_oKlXzFbkfu0KE88USi98DjSWrOELrPj-8tisl8I")]
    public void ComputeEventId_SignedSpecMinimalEvent_MatchesIndependentComputation(string versionId, string expected)
    {
        RoomVersions.TryGet(versionId, out RoomVersion? version);
        JsonObject pdu = SignedMessage(version!, JsonNode.Parse(SpecVectors.MinimalEvent)!.AsObject());

        Assert.Equal(expected, ReferenceHasher.ComputeEventId(pdu, version!).ToString());
    }

    [Fact]
    public void ComputeEventId_ChangedUnsigned_SameId()
    {
        JsonObject pdu = SignedMessage(RoomVersions.V11);
        EventId before = ReferenceHasher.ComputeEventId(pdu, RoomVersions.V11);

        pdu["unsigned"] = new JsonObject { ["age"] = 12345, ["transaction_id"] = "txn" };

        Assert.Equal(before, ReferenceHasher.ComputeEventId(pdu, RoomVersions.V11));
    }

    [Fact]
    public void ComputeEventId_AddedSignature_SameId()
    {
        JsonObject pdu = SignedMessage(RoomVersions.V11);
        EventId before = ReferenceHasher.ComputeEventId(pdu, RoomVersions.V11);

        pdu["signatures"]!["other.example"] = new JsonObject { ["ed25519:x"] = "c2ln" };

        Assert.Equal(before, ReferenceHasher.ComputeEventId(pdu, RoomVersions.V11));
    }

    [Fact]
    public void ComputeEventId_ContentChangedAndRehashed_DifferentId()
    {
        JsonObject pdu = SignedMessage(RoomVersions.V11);
        EventId before = ReferenceHasher.ComputeEventId(pdu, RoomVersions.V11);

        pdu["content"]!["body"] = "changed";
        EventSigner.Sign(pdu, RoomVersions.V11, SpecVectors.ServerName, _key);

        Assert.NotEqual(before, ReferenceHasher.ComputeEventId(pdu, RoomVersions.V11));
    }

    [Fact]
    public void ComputeEventId_RedactableContentChangedWithoutRehash_SameId()
    {
        // The redacted form drops the body; only hashes.sha256 ties the ID to it. Catching this edit
        // is the content hash check's job (the event then fails it and is used redacted).
        JsonObject pdu = SignedMessage(RoomVersions.V11);
        EventId before = ReferenceHasher.ComputeEventId(pdu, RoomVersions.V11);

        pdu["content"]!["body"] = "changed";

        Assert.Equal(before, ReferenceHasher.ComputeEventId(pdu, RoomVersions.V11));
        Assert.False(ContentHasher.Matches(pdu));
    }

    [Fact]
    public void ComputeEventId_PreservedContentKeyChanged_DifferentId()
    {
        var pdu = new JsonObject
        {
            ["type"] = EventTypes.Member, ["state_key"] = "@a:domain", ["sender"] = "@a:domain", ["room_id"] = "!r:domain",
            ["content"] = new JsonObject { ["membership"] = "join" }, ["hashes"] = new JsonObject { ["sha256"] = "fixed" },
            ["depth"] = 2, ["prev_events"] = new JsonArray(), ["auth_events"] = new JsonArray(), ["origin_server_ts"] = 1,
        };
        EventId before = ReferenceHasher.ComputeEventId(pdu, RoomVersions.V11);

        pdu["content"]!["membership"] = "leave";

        Assert.NotEqual(before, ReferenceHasher.ComputeEventId(pdu, RoomVersions.V11));
    }

    [Theory]
    [InlineData("10", false)]
    [InlineData("11", true)]
    [InlineData("12", true)]
    public void ComputeEventId_OriginChanged_OnlyStableWhereRedactionDropsOrigin(string versionId, bool stable)
    {
        RoomVersions.TryGet(versionId, out RoomVersion? version);
        JsonObject pdu = SignedMessage(version!);
        EventId before = ReferenceHasher.ComputeEventId(pdu, version!);

        pdu["origin"] = "elsewhere";

        Assert.Equal(stable, before == ReferenceHasher.ComputeEventId(pdu, version!));
    }

    [Fact]
    public void ComputeEventId_SameEventDifferentVersions_DifferentIds()
    {
        JsonObject pdu = JsonNode.Parse(SpecVectors.MinimalEvent)!.AsObject();

        Assert.NotEqual(ReferenceHasher.ComputeEventId(pdu, RoomVersions.V10), ReferenceHasher.ComputeEventId(pdu, RoomVersions.V11));
    }

    private JsonObject SignedMessage(RoomVersion version, JsonObject? pdu = null)
    {
        pdu ??= JsonNode.Parse(SpecVectors.RedactableEvent)!.AsObject();
        EventSigner.Sign(pdu, version, SpecVectors.ServerName, _key);
        return pdu;
    }
}
