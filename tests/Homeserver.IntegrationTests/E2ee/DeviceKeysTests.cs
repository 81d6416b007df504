using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.E2ee;

/// <summary>/keys/upload, /keys/query and /keys/claim, with the counts sync reports.</summary>
public sealed class DeviceKeysTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UploadedKeys_AreReturnedByQuery_WithTheDeviceName(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (_, b) = await hs.RegisterClientAsync();
        using var deviceKey = SigningKey.Generate();
        var keys = E2eeClient.DeviceKeys(alice, deviceKey);
        var upload = await a.UploadKeysAsync(new { device_keys = keys });
        Assert.Equal(0, upload.GetProperty("one_time_key_counts").GetProperty("signed_curve25519").GetInt32());

        var query = await b.QueryKeysAsync(alice.UserId, "@someone:elsewhere.example");
        var device = query.GetProperty("device_keys").GetProperty(alice.UserId).GetProperty(alice.DeviceId);
        Assert.Equal(deviceKey.PublicKeyBase64, device.GetProperty("keys").GetProperty("ed25519:" + alice.DeviceId).GetString());
        Assert.Equal(keys["signatures"]![alice.UserId]!["ed25519:" + alice.DeviceId]!.GetValue<string>(),
            device.GetProperty("signatures").GetProperty(alice.UserId).GetProperty("ed25519:" + alice.DeviceId).GetString());
        Assert.True(query.GetProperty("failures").TryGetProperty("elsewhere.example", out _));

        // A device not asked for is left out.
        var narrowed = await (await b.PostAsJsonAsync("/_matrix/client/v3/keys/query",
            new { device_keys = new Dictionary<string, string[]> { [alice.UserId] = ["OTHER"] } })).AssertOkAsync();
        Assert.Empty(narrowed.GetProperty("device_keys").GetProperty(alice.UserId).EnumerateObject());
    }

    [Fact]
    public async Task KeysOfAnyForm_AndEmptySignatures_AreAcceptedAsTheSchemaAllows()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        // Key values and names are the clients' business: the schema asks for strings, as Synapse does.
        var upload = await a.UploadKeysAsync(new
        {
            device_keys = new JsonObject
            {
                ["user_id"] = alice.UserId,
                ["device_id"] = alice.DeviceId,
                ["algorithms"] = new JsonArray("m.olm.curve25519-aes-sha256"),
                ["keys"] = new JsonObject { ["curve25519:" + alice.DeviceId] = "curve25519+key", ["ed25519:" + alice.DeviceId] = "ed25519+key" },
                ["signatures"] = new JsonObject(),
            },
            one_time_keys = new JsonObject { ["my_algorithm:my_id_1"] = "my+base64+key", ["signed_curve25519:AAAA"] = "short" },
        });
        Assert.Equal(1, upload.GetProperty("one_time_key_counts").GetProperty("my_algorithm").GetInt32());
        Assert.Equal(1, upload.GetProperty("one_time_key_counts").GetProperty("signed_curve25519").GetInt32());
        var device = (await a.QueryKeysAsync(alice.UserId)).GetProperty("device_keys").GetProperty(alice.UserId).GetProperty(alice.DeviceId);
        Assert.Equal("ed25519+key", device.GetProperty("keys").GetProperty("ed25519:" + alice.DeviceId).GetString());
        Assert.Empty(device.GetProperty("signatures").EnumerateObject());
        // unsigned is there even without a device name, as in Synapse.
        Assert.Empty(device.GetProperty("unsigned").EnumerateObject());
    }

    [Fact]
    public async Task DisplayName_IsAddedAsUnsignedData()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/devices/{alice.DeviceId}", new { display_name = "Alice's phone" })).AssertOkAsync();
        using var deviceKey = SigningKey.Generate();
        await a.UploadKeysAsync(new { device_keys = E2eeClient.DeviceKeys(alice, deviceKey) });
        var device = (await a.QueryKeysAsync(alice.UserId)).GetProperty("device_keys").GetProperty(alice.UserId).GetProperty(alice.DeviceId);
        Assert.Equal("Alice's phone", device.GetProperty("unsigned").GetProperty("device_display_name").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ConcurrentClaims_GetEachOneTimeKeyOnce_ThenTheFallbackKey(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        using var deviceKey = SigningKey.Generate();
        var oneTime = new JsonObject();
        for (var i = 0; i < 5; i++)
            oneTime[$"signed_curve25519:k{i}"] = E2eeClient.SignedKey(alice, deviceKey);
        var upload = await a.UploadKeysAsync(new
        {
            device_keys = E2eeClient.DeviceKeys(alice, deviceKey),
            one_time_keys = oneTime,
            fallback_keys = new JsonObject { ["signed_curve25519:fb"] = E2eeClient.SignedKey(alice, deviceKey, fallback: true) },
        });
        Assert.Equal(5, upload.GetProperty("one_time_key_counts").GetProperty("signed_curve25519").GetInt32());
        var before = await a.SyncAsync();
        Assert.Equal(5, before.GetProperty("device_one_time_keys_count").GetProperty("signed_curve25519").GetInt32());
        Assert.Equal(["signed_curve25519"], before.GetProperty("device_unused_fallback_key_types").EnumerateArray().Select(e => e.GetString()));

        var claimers = new List<HttpClient>();
        for (var i = 0; i < 4; i++)
            claimers.Add(hs.ClientFor(await hs.RegisterAsync()));
        var claims = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            var res = await (await claimers[i % claimers.Count].PostAsJsonAsync("/_matrix/client/v3/keys/claim", new
            {
                one_time_keys = new Dictionary<string, Dictionary<string, string>> { [alice.UserId] = new() { [alice.DeviceId] = "signed_curve25519" } },
            })).AssertOkAsync();
            return res.GetProperty("one_time_keys").GetProperty(alice.UserId).GetProperty(alice.DeviceId).EnumerateObject().Single().Name;
        }));
        foreach (var c in claimers)
            c.Dispose();

        var oneTimeClaims = claims.Where(k => k != "signed_curve25519:fb").ToList();
        Assert.Equal(5, oneTimeClaims.Count);
        Assert.Equal(5, oneTimeClaims.Distinct().Count());
        Assert.Equal(7, claims.Count(k => k == "signed_curve25519:fb"));

        var after = await a.SyncAsync();
        Assert.Equal(0, after.GetProperty("device_one_time_keys_count").GetProperty("signed_curve25519").GetInt32());
        Assert.Empty(after.GetProperty("device_unused_fallback_key_types").EnumerateArray());

        // A new fallback key is unused again.
        await a.UploadKeysAsync(new { fallback_keys = new JsonObject { ["signed_curve25519:fb2"] = E2eeClient.SignedKey(alice, deviceKey, fallback: true) } });
        Assert.Single((await a.SyncAsync()).GetProperty("device_unused_fallback_key_types").EnumerateArray());
    }

    [Fact]
    public async Task Claim_ForAnUnknownDevice_ReturnsNothing()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        var res = await (await a.PostAsJsonAsync("/_matrix/client/v3/keys/claim", new
        {
            one_time_keys = new Dictionary<string, Dictionary<string, string>> { [alice.UserId] = new() { ["NOPE"] = "signed_curve25519" } },
        })).AssertOkAsync();
        Assert.Empty(res.GetProperty("one_time_keys").EnumerateObject());
    }

    [Fact]
    public async Task Upload_OfKeysForAnotherUserOrDevice_OrMalformed_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        var bob = await hs.RegisterAsync();
        using var deviceKey = SigningKey.Generate();
        async Task Refused(object body, string errcode) =>
            await (await a.PostAsJsonAsync("/_matrix/client/v3/keys/upload", body)).AssertErrorAsync(HttpStatusCode.BadRequest, errcode);

        await Refused(new { device_keys = E2eeClient.DeviceKeys(bob, deviceKey) }, "M_INVALID_PARAM");
        await Refused(new { device_keys = E2eeClient.DeviceKeys(alice with { DeviceId = "OTHERDEVICE" }, deviceKey) }, "M_INVALID_PARAM");
        var noSignatures = E2eeClient.DeviceKeys(alice, deviceKey);
        noSignatures.Remove("signatures");
        await Refused(new { device_keys = noSignatures }, "M_BAD_JSON");
        var numericKey = E2eeClient.DeviceKeys(alice, deviceKey);
        numericKey["keys"]!["curve25519:" + alice.DeviceId] = 42;
        await Refused(new { device_keys = numericKey }, "M_BAD_JSON");
        var noAlgorithms = E2eeClient.DeviceKeys(alice, deviceKey);
        noAlgorithms.Remove("algorithms");
        await Refused(new { device_keys = noAlgorithms }, "M_BAD_JSON");
        var flatSignatures = E2eeClient.DeviceKeys(alice, deviceKey);
        flatSignatures["signatures"] = new JsonObject { [alice.UserId] = "sig" };
        await Refused(new { device_keys = flatSignatures }, "M_BAD_JSON");
        await Refused(new { one_time_keys = new JsonObject { ["no_colon"] = E2eeClient.SignedKey(alice, deviceKey) } }, "M_INVALID_PARAM");
        await Refused(new { one_time_keys = new JsonObject { ["signed_curve25519:x"] = 42 } }, "M_INVALID_PARAM");
        await Refused(new
        {
            fallback_keys = new JsonObject
            {
                ["signed_curve25519:a"] = E2eeClient.SignedKey(alice, deviceKey, true),
                ["signed_curve25519:b"] = E2eeClient.SignedKey(alice, deviceKey, true),
            },
        }, "M_INVALID_PARAM");
        await (await a.PostAsJsonAsync("/_matrix/client/v3/keys/query", new { device_keys = new { x = 1 } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.PostAsJsonAsync("/_matrix/client/v3/keys/query", new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await a.PostAsJsonAsync("/_matrix/client/v3/keys/claim", new { one_time_keys = new { x = new { DEVICE = "signed_curve25519" } } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }
}
