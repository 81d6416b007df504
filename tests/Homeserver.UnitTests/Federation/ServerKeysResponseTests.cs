using System.Text.Json.Nodes;
using Homeserver.Core.Federation.Keys;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Federation;

public sealed class ServerKeysResponseTests
{
    private const long Now = 1_800_000_000_000;
    private static readonly SigningKey Key = SigningKey.Generate();

    private static JsonObject Response(long validUntil, string serverName = "remote.example")
    {
        var body = new JsonObject
        {
            ["server_name"] = serverName,
            ["valid_until_ts"] = validUntil,
            ["verify_keys"] = new JsonObject { [Key.KeyId] = new JsonObject { ["key"] = Key.PublicKeyBase64 } },
            ["old_verify_keys"] = new JsonObject { ["ed25519:old"] = new JsonObject { ["key"] = Key.PublicKeyBase64, ["expired_ts"] = Now - 1000 } },
        };
        JsonSigning.SignJson(body, serverName, Key);
        return body;
    }

    [Fact]
    public void SelfSignedResponse_GivesCurrentAndOldKeys_ValidityCappedAtSevenDays()
    {
        var keys = ServerKeysResponse.Read(Response(Now + (long)TimeSpan.FromDays(30).TotalMilliseconds), "remote.example", Now);
        var current = Assert.Single(keys, k => k.KeyId == Key.KeyId);
        Assert.Equal(Now + (long)TimeSpan.FromDays(7).TotalMilliseconds, current.ValidUntilTs);
        Assert.Null(current.ExpiredTs);
        var old = Assert.Single(keys, k => k.KeyId == "ed25519:old");
        Assert.True(old.IsValidAt(Now - 1001));
        Assert.False(old.IsValidAt(Now - 1000));
        Assert.True(old.IsValidAt(null));
    }

    [Fact]
    public void ResponseForAnotherServer_TamperedOrUnsigned_GivesNothing()
    {
        Assert.Empty(ServerKeysResponse.Read(Response(Now + 1000), "other.example", Now));
        var tampered = Response(Now + 1000);
        tampered["valid_until_ts"] = Now + 2000;
        Assert.Empty(ServerKeysResponse.Read(tampered, "remote.example", Now));
        var unsigned = Response(Now + 1000);
        unsigned.Remove("signatures");
        Assert.Empty(ServerKeysResponse.Read(unsigned, "remote.example", Now));
    }

    [Fact]
    public void FetchedResponse_KeepsOnlyTheServersOwnSignatures_AndStillVerifies()
    {
        using var notaryKey = SigningKey.Generate();
        var throughNotary = Response(Now + 1000);
        JsonSigning.SignJson(throughNotary, "notary.example", notaryKey);
        throughNotary["unsigned"] = new JsonObject { ["x"] = 1 };

        var fetched = ServerKeysResponse.ReadFetched(throughNotary, "remote.example", Now);

        Assert.Equal(["remote.example"], fetched!.Response["signatures"]!.AsObject().Select(p => p.Key));
        Assert.Null(fetched.Response["unsigned"]);
        Assert.True(JsonSigning.VerifyJson(fetched.Response, "remote.example", Key.KeyId, Key.PublicKey));
        Assert.Equal(Now + 1000, fetched.ValidUntilTs);
        Assert.NotNull(throughNotary["signatures"]!["notary.example"]);
        Assert.Null(ServerKeysResponse.ReadFetched(Response(Now + 1000), "other.example", Now));
    }

    [Fact]
    public void CurrentKey_VerifiesUpToValidUntil_OrAtAnyTimeWhenTheRoomVersionDoesNotBoundKeys()
    {
        var key = new ServerKey("s", "ed25519:a", new byte[32], 5000, null);
        Assert.True(key.IsValidAt(5000));
        Assert.False(key.IsValidAt(5001));
        Assert.True(key.IsValidAt(null));
    }
}
