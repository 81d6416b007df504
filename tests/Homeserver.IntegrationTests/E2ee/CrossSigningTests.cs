using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.E2ee;

/// <summary>/keys/device_signing/upload (UIA only when replacing keys) and /keys/signatures/upload, seen through /keys/query.</summary>
public sealed class CrossSigningTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string SigningUpload = "/_matrix/client/v3/keys/device_signing/upload";
    private const string SignaturesUpload = "/_matrix/client/v3/keys/signatures/upload";

    private sealed record CrossSigning(SigningKey Master, SigningKey SelfSigning, SigningKey UserSigning) : IDisposable
    {
        public static CrossSigning Create() => new(SigningKey.Generate(), SigningKey.Generate(), SigningKey.Generate());

        public object Body(string userId, object? auth = null) => new
        {
            master_key = E2eeClient.CrossSigningKey(userId, "master", Master),
            self_signing_key = E2eeClient.CrossSigningKey(userId, "self_signing", SelfSigning, Master),
            user_signing_key = E2eeClient.CrossSigningKey(userId, "user_signing", UserSigning, Master),
            auth,
        };

        public void Dispose()
        {
            Master.Dispose();
            SelfSigning.Dispose();
            UserSigning.Dispose();
        }
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task FirstUpload_NeedsNoUia_ReplacingNeedsThePassword_AndTheUserSigningKeyIsPrivate(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (_, b) = await hs.RegisterClientAsync();
        using var first = CrossSigning.Create();
        await (await a.PostAsJsonAsync(SigningUpload, first.Body(alice.UserId))).AssertOkAsync();
        // Re-sending the same keys (a retry of a lost response) stays free of UIA.
        await (await a.PostAsJsonAsync(SigningUpload, first.Body(alice.UserId))).AssertOkAsync();

        using var second = CrossSigning.Create();
        var session = await (await a.PostAsJsonAsync(SigningUpload, second.Body(alice.UserId))).AssertPasswordChallengeAsync();
        await (await a.PostAsJsonAsync(SigningUpload, second.Body(alice.UserId, new
        {
            type = "m.login.password", session, identifier = new { type = "m.id.user", user = alice.Localpart }, password = alice.Password,
        }))).AssertOkAsync();

        var asBob = await b.QueryKeysAsync(alice.UserId);
        Assert.Equal(second.Master.PublicKeyBase64, asBob.GetProperty("master_keys").GetProperty(alice.UserId).GetProperty("keys").EnumerateObject().Single().Value.GetString());
        Assert.True(asBob.GetProperty("self_signing_keys").TryGetProperty(alice.UserId, out _));
        Assert.False(asBob.GetProperty("user_signing_keys").TryGetProperty(alice.UserId, out _));
        var asAlice = await a.QueryKeysAsync(alice.UserId);
        Assert.True(asAlice.GetProperty("user_signing_keys").TryGetProperty(alice.UserId, out _));
    }

    [Fact]
    public async Task UnstablePaths_ServeTheSameUploads()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        using var first = CrossSigning.Create();
        await (await a.PostAsJsonAsync("/_matrix/client/unstable/keys/device_signing/upload", first.Body(alice.UserId))).AssertOkAsync();
        Assert.Equal(first.Master.PublicKeyBase64,
            (await a.QueryKeysAsync(alice.UserId)).GetProperty("master_keys").GetProperty(alice.UserId).GetProperty("keys").EnumerateObject().Single().Value.GetString());
        using var second = CrossSigning.Create();
        await (await a.PostAsJsonAsync("/_matrix/client/unstable/keys/device_signing/upload", second.Body(alice.UserId))).AssertPasswordChallengeAsync();

        var signed = E2eeClient.Sign(E2eeClient.CrossSigningKey(alice.UserId, "master", first.Master), alice.UserId, first.Master, "NOSUCHDEVICE");
        var result = await (await a.PostAsJsonAsync("/_matrix/client/unstable/keys/signatures/upload", new Dictionary<string, Dictionary<string, JsonObject>>
        {
            [alice.UserId] = new() { [first.Master.PublicKeyBase64] = signed },
        })).AssertOkAsync();
        Assert.Equal("M_INVALID_SIGNATURE", result.GetProperty("failures").GetProperty(alice.UserId).GetProperty(first.Master.PublicKeyBase64).GetProperty("errcode").GetString());
    }

    [Fact]
    public async Task SubKey_NotSignedByTheMaster_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        using var keys = CrossSigning.Create();
        using var stranger = SigningKey.Generate();
        var body = new
        {
            master_key = E2eeClient.CrossSigningKey(alice.UserId, "master", keys.Master),
            self_signing_key = E2eeClient.CrossSigningKey(alice.UserId, "self_signing", keys.SelfSigning, stranger),
        };
        await (await a.PostAsJsonAsync(SigningUpload, body)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_SIGNATURE");
        var noMaster = new { self_signing_key = E2eeClient.CrossSigningKey(alice.UserId, "self_signing", keys.SelfSigning, keys.Master) };
        await (await a.PostAsJsonAsync(SigningUpload, noMaster)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        var otherUser = new { master_key = E2eeClient.CrossSigningKey("@else:" + TestHomeserver.ServerName, "master", keys.Master) };
        await (await a.PostAsJsonAsync(SigningUpload, otherUser)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        var notAUser = new Dictionary<string, object> { ["not-a-user"] = new Dictionary<string, object> { [keys.Master.PublicKeyBase64] = new { } } };
        await (await a.PostAsJsonAsync(SignaturesUpload, notAUser)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Signatures_OfOwnDevice_AndOfAnotherUsersMasterKey_AreStoredAndShownToTheRightPeople(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var (_, c) = await hs.RegisterClientAsync();
        using var aliceKeys = CrossSigning.Create();
        using var bobKeys = CrossSigning.Create();
        using var aliceDevice = SigningKey.Generate();
        var deviceKeys = E2eeClient.DeviceKeys(alice, aliceDevice);
        await a.UploadKeysAsync(new { device_keys = deviceKeys });
        await (await a.PostAsJsonAsync(SigningUpload, aliceKeys.Body(alice.UserId))).AssertOkAsync();
        await (await b.PostAsJsonAsync(SigningUpload, bobKeys.Body(bob.UserId))).AssertOkAsync();

        // Alice's self-signing key signs her device; her user-signing key signs Bob's master key; one forged signature.
        var signedDevice = E2eeClient.Sign((JsonObject)deviceKeys.DeepClone(), alice.UserId, aliceKeys.SelfSigning, aliceKeys.SelfSigning.PublicKeyBase64);
        var bobMaster = E2eeClient.Sign(E2eeClient.CrossSigningKey(bob.UserId, "master", bobKeys.Master), alice.UserId, aliceKeys.UserSigning, aliceKeys.UserSigning.PublicKeyBase64);
        using var forger = SigningKey.Generate();
        var forged = E2eeClient.Sign(E2eeClient.CrossSigningKey(bob.UserId, "master", bobKeys.Master), alice.UserId, forger, aliceKeys.UserSigning.PublicKeyBase64);
        var result = await (await a.PostAsJsonAsync(SignaturesUpload, new Dictionary<string, Dictionary<string, JsonObject>>
        {
            [alice.UserId] = new() { [alice.DeviceId] = signedDevice },
            [bob.UserId] = new() { [bobKeys.Master.PublicKeyBase64] = bobMaster },
        })).AssertOkAsync();
        Assert.Empty(result.GetProperty("failures").EnumerateObject());
        var failed = await (await a.PostAsJsonAsync(SignaturesUpload, new Dictionary<string, Dictionary<string, JsonObject>>
        {
            [bob.UserId] = new() { [bobKeys.Master.PublicKeyBase64] = forged },
        })).AssertOkAsync();
        Assert.Equal("M_INVALID_SIGNATURE", failed.GetProperty("failures").GetProperty(bob.UserId).GetProperty(bobKeys.Master.PublicKeyBase64).GetProperty("errcode").GetString());

        var sskId = "ed25519:" + aliceKeys.SelfSigning.PublicKeyBase64;
        var deviceAsCarol = (await c.QueryKeysAsync(alice.UserId)).GetProperty("device_keys").GetProperty(alice.UserId).GetProperty(alice.DeviceId);
        Assert.True(deviceAsCarol.GetProperty("signatures").GetProperty(alice.UserId).TryGetProperty(sskId, out _));

        var uskId = "ed25519:" + aliceKeys.UserSigning.PublicKeyBase64;
        var bobMasterAsAlice = (await a.QueryKeysAsync(bob.UserId)).GetProperty("master_keys").GetProperty(bob.UserId);
        Assert.True(bobMasterAsAlice.GetProperty("signatures").GetProperty(alice.UserId).TryGetProperty(uskId, out _));
        // Nobody but Alice sees whom Alice's user-signing key vouched for.
        var bobMasterAsCarol = (await c.QueryKeysAsync(bob.UserId)).GetProperty("master_keys").GetProperty(bob.UserId);
        Assert.False(bobMasterAsCarol.TryGetProperty("signatures", out var sigs) && sigs.TryGetProperty(alice.UserId, out _));
    }
}
