using System.Text.Json.Nodes;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Federation;

public sealed class XMatrixAuthorizationTests
{
    private static readonly SigningKey Key = SigningKey.Generate();
    private static readonly JsonObject Body = new() { ["a"] = 1, ["b"] = new JsonArray("x") };

    private static XMatrixCredentials Signed(JsonNode? content = null)
    {
        var header = XMatrixAuthorization.Create(Key, "origin.example", "dest.example", "PUT", "/_matrix/federation/v1/send/1?x=%20y", content);
        Assert.True(XMatrixAuthorization.TryParse(header, out var credentials));
        return credentials!;
    }

    [Fact]
    public void Create_WritesTheFormOlderServersRead()
    {
        var header = XMatrixAuthorization.Create(Key, "origin.example", "dest.example", "GET", "/_matrix/x", null);
        Assert.Matches($"^X-Matrix origin=\"origin.example\",destination=\"dest.example\",key=\"{Key.KeyId}\",sig=\"[A-Za-z0-9+/]+\"$", header);
    }

    [Fact]
    public void Signature_VerifiesForTheSameRequest_AndForNoOther()
    {
        var credentials = Signed(Body);
        Assert.Equal(("origin.example", "dest.example", Key.KeyId), (credentials.Origin, credentials.Destination, credentials.KeyId));
        Assert.True(XMatrixAuthorization.Verify(credentials, Key.PublicKey, "dest.example", "PUT", "/_matrix/federation/v1/send/1?x=%20y", Body));

        Assert.False(XMatrixAuthorization.Verify(credentials, Key.PublicKey, "other.example", "PUT", "/_matrix/federation/v1/send/1?x=%20y", Body));
        Assert.False(XMatrixAuthorization.Verify(credentials, Key.PublicKey, "dest.example", "POST", "/_matrix/federation/v1/send/1?x=%20y", Body));
        Assert.False(XMatrixAuthorization.Verify(credentials, Key.PublicKey, "dest.example", "PUT", "/_matrix/federation/v1/send/2?x=%20y", Body));
        Assert.False(XMatrixAuthorization.Verify(credentials, Key.PublicKey, "dest.example", "PUT", "/_matrix/federation/v1/send/1?x=%20y", new JsonObject { ["a"] = 2 }));
        Assert.False(XMatrixAuthorization.Verify(credentials, Key.PublicKey, "dest.example", "PUT", "/_matrix/federation/v1/send/1?x=%20y", null));
        using var other = SigningKey.Generate();
        Assert.False(XMatrixAuthorization.Verify(credentials, other.PublicKey, "dest.example", "PUT", "/_matrix/federation/v1/send/1?x=%20y", Body));
        Assert.False(XMatrixAuthorization.Verify(credentials with { Origin = "evil.example" }, Key.PublicKey, "dest.example", "PUT", "/_matrix/federation/v1/send/1?x=%20y", Body));
    }

    [Theory]
    [InlineData("X-Matrix origin=origin.example,key=\"ed25519:1\",sig=\"c2ln\"", "origin.example", null, "ed25519:1", "c2ln")]
    [InlineData("x-matrix   ORIGIN=\"origin.example\" ,\tKey=ed25519:1 , Sig=c2ln,destination=dest.example:8448", "origin.example", "dest.example:8448", "ed25519:1", "c2ln")]
    [InlineData("X-Matrix sig=\"c2ln\",key=\"ed25519:1\",origin=\"or\\\"ig\\\\in\",unknown=\"x, y\",destination=\"d\"", "or\"ig\\in", "d", "ed25519:1", "c2ln")]
    public void Parse_AcceptsTheSpecsGrammar(string header, string origin, string? destination, string keyId, string sig)
    {
        Assert.True(XMatrixAuthorization.TryParse(header, out var c));
        Assert.Equal(new XMatrixCredentials(origin, destination, keyId, sig), c);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer abc")]
    [InlineData("X-Matrix")]
    [InlineData("X-Matrixorigin=a,key=ed25519:1,sig=s")]
    [InlineData("X-Matrix origin=a,key=ed25519:1")]
    [InlineData("X-Matrix origin=a,key=ed25519:1,sig=\"unterminated")]
    [InlineData("X-Matrix origin=a key=ed25519:1,sig=s")]
    [InlineData("X-Matrix origin=a,origin=b,key=ed25519:1,sig=s")]
    [InlineData("X-Matrix origin=,key=ed25519:1,sig=s")]
    public void Parse_RefusesWhatIsNotTheGrammar(string? header) =>
        Assert.False(XMatrixAuthorization.TryParse(header, out _));
}
