using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Events;

public sealed class EventVerifierTests : IDisposable
{
    private readonly SigningKey _key = SpecVectors.CreateKey();

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Verify_Untouched_Valid()
    {
        Assert.Equal(EventVerification.Valid, Verify(Member()));
    }

    [Fact]
    public void Verify_UnsignedChanged_StillValid()
    {
        JsonObject json = Member();
        json["unsigned"] = new JsonObject { ["age"] = 5 };

        Assert.Equal(EventVerification.Valid, Verify(json));
    }

    [Fact]
    public void Verify_RedactableContentChanged_ContentHashMismatch()
    {
        JsonObject json = Member();
        json["content"]!["displayname"] = "Mallory";

        Assert.Equal(EventVerification.ContentHashMismatch, Verify(json));
    }

    [Theory]
    [InlineData("membership")]
    [InlineData("depth")]
    public void Verify_PreservedKeyChanged_SignatureInvalid(string key)
    {
        JsonObject json = Member();
        if (key == "membership")
        {
            json["content"]!["membership"] = "leave";
        }
        else
        {
            json[key] = 99;
        }

        Assert.Equal(EventVerification.SignatureInvalid, Verify(json));
    }

    [Fact]
    public void Verify_OtherKeyOrServer_SignatureInvalid()
    {
        using SigningKey other = SigningKey.Generate();
        JsonObject json = Member();

        Assert.Equal(EventVerification.SignatureInvalid, EventVerifier.Verify(json, RoomVersions.V11, "domain", "ed25519:1", other.PublicKey));
        Assert.Equal(EventVerification.SignatureInvalid, EventVerifier.Verify(json, RoomVersions.V11, "elsewhere", "ed25519:1", _key.PublicKey));
    }

    [Fact]
    public void Verify_RedactedCopy_SignatureStillValid()
    {
        JsonObject redacted = EventRedactor.Redact(Member(), RoomVersions.V11);

        Assert.True(EventVerifier.VerifySignature(redacted, RoomVersions.V11, "domain", "ed25519:1", _key.PublicKey));
        Assert.False(EventVerifier.VerifyContentHash(redacted));
    }

    [Theory]
    [InlineData("""{"sha256": "!!!"}""")]
    [InlineData("""{"sha256": 5}""")]
    [InlineData("""{}""")]
    public void VerifyContentHash_MalformedHashes_False(string hashes)
    {
        JsonObject json = Member();
        json["hashes"] = JsonNode.Parse(hashes);

        Assert.False(EventVerifier.VerifyContentHash(json));
    }

    [Fact]
    public void Sign_SecondServer_KeepsFirstSignature()
    {
        using SigningKey other = SigningKey.Generate();
        JsonObject json = Member();

        EventSigner.Sign(json, RoomVersions.V11, "other.example", other);

        Assert.True(EventVerifier.VerifySignature(json, RoomVersions.V11, "domain", "ed25519:1", _key.PublicKey));
        Assert.True(EventVerifier.VerifySignature(json, RoomVersions.V11, "other.example", other.KeyId, other.PublicKey));
    }

    [Fact]
    public void Sign_MalformedSignatures_ThrowsAndLeavesEventUnchanged()
    {
        JsonObject json = JsonNode.Parse("""{"type": "X", "content": {}, "signatures": "bad"}""")!.AsObject();
        string before = json.ToJsonString();

        Assert.Throws<ArgumentException>(() => EventSigner.Sign(json, RoomVersions.V11, "domain", _key));

        Assert.Equal(before, json.ToJsonString());
    }

    private EventVerification Verify(JsonObject json) =>
        EventVerifier.Verify(json, RoomVersions.V11, "domain", "ed25519:1", _key.PublicKey);

    private JsonObject Member() => (JsonObject)new EventBuilder
    {
        RoomVersion = RoomVersions.V11, Type = EventTypes.Member, StateKey = "@a:domain", Sender = new UserId("a", "domain"),
        RoomId = RoomId.Create("r", "domain"), Content = new JsonObject { ["membership"] = "join", ["displayname"] = "Alice" },
        Depth = 3, OriginServerTs = 1,
    }.Build(_key).Json.DeepClone();
}
