using System.Text.Json.Nodes;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Keys;

public sealed class JsonSigningTests : IDisposable
{
    private const string EmptyObjectSignature = "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ";
    private const string OneTwoSignature = "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw";

    // Spec appendices, "Cryptographic Test Vectors": server "domain", key "ed25519:1".
    private readonly SigningKey _specKey = SigningKey.Parse("ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");

    public void Dispose() => _specKey.Dispose();

    [Fact]
    public void SignJson_SpecEmptyObject_ProducesSpecSignature()
    {
        var obj = new JsonObject();

        JsonSigning.SignJson(obj, "domain", _specKey);

        Assert.Equal(
            $$$$"""{"signatures":{"domain":{"ed25519:1":"{{{{EmptyObjectSignature}}}}"}}}""",
            CanonicalJson.EncodeToString(obj));
    }

    [Fact]
    public void SignJson_SpecOneTwoObject_ProducesSpecSignature()
    {
        var obj = JsonNode.Parse("""{"one": 1, "two": "Two"}""")!.AsObject();

        JsonSigning.SignJson(obj, "domain", _specKey);

        Assert.Equal(
            $$$$"""{"one":1,"signatures":{"domain":{"ed25519:1":"{{{{OneTwoSignature}}}}"}},"two":"Two"}""",
            CanonicalJson.EncodeToString(obj));
    }

    [Fact]
    public void SignJson_ObjectBuiltInCode_MatchesParsedObject()
    {
        var built = new JsonObject { ["two"] = "Two", ["one"] = 1 };

        JsonSigning.SignJson(built, "domain", _specKey);

        Assert.Equal(OneTwoSignature, (string?)built["signatures"]!["domain"]!["ed25519:1"]);
    }

    [Theory]
    [InlineData("{}", EmptyObjectSignature)]
    [InlineData("""{"one":1,"two":"Two"}""", OneTwoSignature)]
    public void VerifyJson_SpecSignedObject_ReturnsTrue(string body, string signature)
    {
        var obj = JsonNode.Parse(body)!.AsObject();
        obj["signatures"] = new JsonObject { ["domain"] = new JsonObject { ["ed25519:1"] = signature } };

        Assert.True(JsonSigning.VerifyJson(obj, "domain", "ed25519:1", _specKey.PublicKey));
    }

    [Fact]
    public void VerifyJson_SpecSignedMinimalEvent_ReturnsTrue()
    {
        // The spec's event-signing vector; redaction keeps every key of this minimal event,
        // so its signature is a plain JSON signature over the event minus signatures/unsigned.
        var signedEvent = JsonNode.Parse("""
            {
                "auth_events": [],
                "content": {},
                "depth": 3,
                "hashes": {"sha256": "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos"},
                "origin": "domain",
                "origin_server_ts": 1000000,
                "prev_events": [],
                "room_id": "!x:domain",
                "sender": "@a:domain",
                "signatures": {"domain": {"ed25519:1": "KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg"}},
                "type": "X",
                "unsigned": {"age_ts": 1000000}
            }
            """)!.AsObject();

        Assert.True(JsonSigning.VerifyJson(signedEvent, "domain", "ed25519:1", _specKey.PublicKey));
    }

    [Fact]
    public void VerifyJson_SpecSignedRedactedMessageEvent_ReturnsTrue()
    {
        // The spec's second event vector, reduced by hand to its redacted form (message content is dropped).
        var redacted = JsonNode.Parse("""
            {
                "content": {},
                "event_id": "$0:domain",
                "hashes": {"sha256": "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g"},
                "origin": "domain",
                "origin_server_ts": 1000000,
                "type": "m.room.message",
                "room_id": "!r:domain",
                "sender": "@u:domain",
                "signatures": {"domain": {"ed25519:1": "Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA"}},
                "unsigned": {"age_ts": 1000000}
            }
            """)!.AsObject();

        Assert.True(JsonSigning.VerifyJson(redacted, "domain", "ed25519:1", _specKey.PublicKey));
    }

    [Fact]
    public void SignJson_ExistingSignatures_ArePreservedAndNotCovered()
    {
        var obj = JsonNode.Parse("""
            {"one": 1, "two": "Two",
             "signatures": {"other.org": {"ed25519:x": "abc"}, "domain": {"ed25519:old": "zzz"}}}
            """)!.AsObject();

        JsonSigning.SignJson(obj, "domain", _specKey);

        Assert.Equal(
            $$$$"""{"one":1,"signatures":{"domain":{"ed25519:1":"{{{{OneTwoSignature}}}}","ed25519:old":"zzz"},"other.org":{"ed25519:x":"abc"}},"two":"Two"}""",
            CanonicalJson.EncodeToString(obj));
    }

    [Fact]
    public void SignJson_WithUnsigned_UnsignedIsKeptAndNotCovered()
    {
        var obj = JsonNode.Parse("""{"one": 1, "unsigned": {"age_ts": 922834800000}, "two": "Two"}""")!.AsObject();

        JsonSigning.SignJson(obj, "domain", _specKey);

        Assert.Equal(OneTwoSignature, (string?)obj["signatures"]!["domain"]!["ed25519:1"]);
        Assert.Equal(922834800000L, (long?)obj["unsigned"]!["age_ts"]);
    }

    [Fact]
    public void SignJson_CalledTwice_ReplacesOwnSignatureIdempotently()
    {
        var obj = new JsonObject { ["one"] = 1, ["two"] = "Two" };

        JsonSigning.SignJson(obj, "domain", _specKey);
        string once = CanonicalJson.EncodeToString(obj);
        JsonSigning.SignJson(obj, "domain", _specKey);

        Assert.Equal(once, CanonicalJson.EncodeToString(obj));
    }

    [Fact]
    public void SignJson_TwoEntities_BothVerify()
    {
        using SigningKey other = SigningKey.Generate();
        var obj = new JsonObject { ["content"] = new JsonObject { ["body"] = "hi" } };

        JsonSigning.SignJson(obj, "domain", _specKey);
        JsonSigning.SignJson(obj, "other.org", other);

        Assert.True(JsonSigning.VerifyJson(obj, "domain", "ed25519:1", _specKey.PublicKey));
        Assert.True(JsonSigning.VerifyJson(obj, "other.org", other.KeyId, other.PublicKey));
        Assert.False(JsonSigning.VerifyJson(obj, "other.org", other.KeyId, _specKey.PublicKey));
    }

    [Fact]
    public void SignJson_NonCanonicalContent_ThrowsAndLeavesObjectUntouched()
    {
        var obj = JsonNode.Parse("""{"n": 1.5, "unsigned": {"a": 1}}""")!.AsObject();
        string before = obj.ToJsonString();

        Assert.Throws<CanonicalJsonException>(() => JsonSigning.SignJson(obj, "domain", _specKey));

        Assert.Equal(before, obj.ToJsonString());
    }

    [Theory]
    [InlineData("""{"signatures": "nope"}""")]
    [InlineData("""{"signatures": []}""")]
    [InlineData("""{"signatures": null}""")]
    [InlineData("""{"signatures": {"domain": "nope"}}""")]
    [InlineData("""{"signatures": {"domain": null}}""")]
    public void SignJson_MalformedSignaturesMember_ThrowsAndLeavesObjectUntouched(string json)
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        string before = obj.ToJsonString();

        Assert.Throws<ArgumentException>(() => JsonSigning.SignJson(obj, "domain", _specKey));

        Assert.Equal(before, obj.ToJsonString());
    }

    [Fact]
    public void VerifyJson_ChangedValue_ReturnsFalse()
    {
        JsonObject obj = SignedOneTwo();
        obj["two"] = "Three";

        Assert.False(Verify(obj));
    }

    [Fact]
    public void VerifyJson_AddedKey_ReturnsFalse()
    {
        JsonObject obj = SignedOneTwo();
        obj["three"] = 3;

        Assert.False(Verify(obj));
    }

    [Fact]
    public void VerifyJson_RemovedKey_ReturnsFalse()
    {
        JsonObject obj = SignedOneTwo();
        obj.Remove("one");

        Assert.False(Verify(obj));
    }

    [Fact]
    public void VerifyJson_ChangedNestedValue_ReturnsFalse()
    {
        var obj = new JsonObject { ["content"] = new JsonObject { ["list"] = new JsonArray(1, 2, 3) } };
        JsonSigning.SignJson(obj, "domain", _specKey);
        Assert.True(Verify(obj));

        obj["content"]!["list"]!.AsArray()[2] = 4;

        Assert.False(Verify(obj));
    }

    [Fact]
    public void VerifyJson_EveryTamperedSignatureByte_ReturnsFalse()
    {
        byte[] signature = Convert.FromBase64String(OneTwoSignature + "==");
        for (int i = 0; i < signature.Length; i++)
        {
            byte[] tampered = (byte[])signature.Clone();
            tampered[i] ^= 0x01;
            JsonObject obj = SignedOneTwo();
            obj["signatures"]!["domain"]!["ed25519:1"] = Convert.ToBase64String(tampered).TrimEnd('=');

            Assert.False(Verify(obj), $"byte {i}");
        }
    }

    [Fact]
    public void VerifyJson_ChangedUnsignedOrOtherSignatures_StillTrue()
    {
        JsonObject obj = SignedOneTwo();
        obj["unsigned"] = new JsonObject { ["age"] = 5 };
        obj["signatures"]!.AsObject()["elsewhere"] = new JsonObject { ["ed25519:z"] = "sig" };

        Assert.True(Verify(obj));
    }

    [Fact]
    public void VerifyJson_PaddedSignature_ReturnsTrue()
    {
        JsonObject obj = SignedOneTwo();
        obj["signatures"]!["domain"]!["ed25519:1"] = OneTwoSignature + "==";

        Assert.True(Verify(obj));
    }

    [Fact]
    public void VerifyJson_WrongEntityKeyIdOrPublicKey_ReturnsFalse()
    {
        JsonObject obj = SignedOneTwo();
        using SigningKey other = SigningKey.Generate();

        Assert.False(JsonSigning.VerifyJson(obj, "other", "ed25519:1", _specKey.PublicKey));
        Assert.False(JsonSigning.VerifyJson(obj, "domain", "ed25519:2", _specKey.PublicKey));
        Assert.False(JsonSigning.VerifyJson(obj, "domain", "ed25519:1", other.PublicKey));
    }

    [Fact]
    public void VerifyJson_UnknownAlgorithm_ReturnsFalse()
    {
        JsonObject obj = SignedOneTwo();
        obj["signatures"]!["domain"]!["curve25519:1"] = OneTwoSignature;

        Assert.False(JsonSigning.VerifyJson(obj, "domain", "curve25519:1", _specKey.PublicKey));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void VerifyJson_PublicKeyWrongLength_ReturnsFalse(int length)
    {
        Assert.False(JsonSigning.VerifyJson(SignedOneTwo(), "domain", "ed25519:1", new byte[length]));
    }

    [Theory]
    [InlineData("""{"one":1,"two":"Two"}""")]
    [InlineData("""{"one":1,"two":"Two","signatures":"x"}""")]
    [InlineData("""{"one":1,"two":"Two","signatures":{"domain":[]}}""")]
    [InlineData("""{"one":1,"two":"Two","signatures":{"domain":{"ed25519:1":42}}}""")]
    [InlineData("""{"one":1,"two":"Two","signatures":{"domain":{"ed25519:1":null}}}""")]
    [InlineData("""{"one":1,"two":"Two","signatures":{"domain":{"ed25519:1":"not base64!"}}}""")]
    [InlineData("""{"one":1,"two":"Two","signatures":{"domain":{"ed25519:1":"AAAA"}}}""")]
    [InlineData("""{"one":1.0,"two":"Two","signatures":{"domain":{"ed25519:1":"KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw"}}}""")]
    public void VerifyJson_MalformedOrMissingSignature_ReturnsFalse(string json)
    {
        Assert.False(Verify(JsonNode.Parse(json)!.AsObject()));
    }

    [Fact]
    public void VerifyJson_SignedObject_IsNotMutated()
    {
        JsonObject obj = SignedOneTwo();
        obj["unsigned"] = new JsonObject { ["age"] = 1 };
        string before = obj.ToJsonString();

        Assert.True(Verify(obj));

        Assert.Equal(before, obj.ToJsonString());
    }

    private JsonObject SignedOneTwo()
    {
        var obj = new JsonObject { ["one"] = 1, ["two"] = "Two" };
        JsonSigning.SignJson(obj, "domain", _specKey);
        return obj;
    }

    private bool Verify(JsonObject obj) => JsonSigning.VerifyJson(obj, "domain", "ed25519:1", _specKey.PublicKey);
}
