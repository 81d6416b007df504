using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Homeserver.IntegrationTests.Sync;
using Homeserver.Testing;

namespace Homeserver.IntegrationTests.E2ee;

/// <summary>What a crypto client does over HTTP in these tests: keys signed with real Ed25519 keys, syncs, to-device sends.</summary>
internal static class E2eeClient
{
    /// <summary>The project's sync call (<see cref="SyncClient"/>) as an extension, so the tests read as a client's steps.</summary>
    public static Task<JsonElement> SyncAsync(this HttpClient c, string? since = null, int timeout = 0) => SyncClient.SyncAsync(c, since, timeout);

    public static string NextBatch(this JsonElement sync) => SyncClient.NextBatch(sync);

    public static List<JsonElement> ToDeviceEvents(this JsonElement sync) =>
        sync.GetProperty("to_device").GetProperty("events").EnumerateArray().ToList();

    public static List<string> DeviceLists(this JsonElement sync, string part) =>
        sync.GetProperty("device_lists").GetProperty(part).EnumerateArray().Select(u => u.GetString()!).ToList();

    public static Task<HttpResponseMessage> SendToDeviceAsync(this HttpClient c, string type, string txnId, object messages) =>
        c.PutAsJsonAsync($"/_matrix/client/v3/sendToDevice/{Uri.EscapeDataString(type)}/{Uri.EscapeDataString(txnId)}", new { messages });

    /// <summary>A 32-byte public key in unpadded Base64, as curve25519 keys are written.</summary>
    public static string RandomKey() => UnpaddedBase64.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Signs <paramref name="obj"/> as <paramref name="userId"/> under <c>ed25519:<paramref name="keyName"/></c>.</summary>
    public static JsonObject Sign(JsonObject obj, string userId, SigningKey key, string keyName)
    {
        var signature = UnpaddedBase64.Encode(key.Sign(CanonicalJson.EncodeWithout(obj, "signatures", "unsigned")));
        var all = obj["signatures"] as JsonObject ?? (JsonObject)(obj["signatures"] = new JsonObject());
        var mine = all[userId] as JsonObject ?? (JsonObject)(all[userId] = new JsonObject());
        mine["ed25519:" + keyName] = signature;
        return obj;
    }

    /// <summary>The device's identity keys, self-signed with <paramref name="deviceKey"/> as a real device does.</summary>
    public static JsonObject DeviceKeys(TestUser user, SigningKey deviceKey) => Sign(new JsonObject
    {
        ["user_id"] = user.UserId,
        ["device_id"] = user.DeviceId,
        ["algorithms"] = new JsonArray("m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"),
        ["keys"] = new JsonObject
        {
            ["curve25519:" + user.DeviceId] = RandomKey(),
            ["ed25519:" + user.DeviceId] = deviceKey.PublicKeyBase64,
        },
    }, user.UserId, deviceKey, user.DeviceId);

    public static JsonObject SignedKey(TestUser user, SigningKey deviceKey, bool fallback = false)
    {
        var key = new JsonObject { ["key"] = RandomKey() };
        if (fallback)
            key["fallback"] = true;
        return Sign(key, user.UserId, deviceKey, user.DeviceId);
    }

    /// <summary>A cross-signing key object for <paramref name="key"/>, signed by <paramref name="signer"/> when given.</summary>
    public static JsonObject CrossSigningKey(string userId, string usage, SigningKey key, SigningKey? signer = null)
    {
        var obj = new JsonObject
        {
            ["user_id"] = userId,
            ["usage"] = new JsonArray(usage),
            ["keys"] = new JsonObject { ["ed25519:" + key.PublicKeyBase64] = key.PublicKeyBase64 },
        };
        return signer is null ? obj : Sign(obj, userId, signer, signer.PublicKeyBase64);
    }

    public static async Task<JsonElement> UploadKeysAsync(this HttpClient c, object body) =>
        await (await c.PostAsJsonAsync("/_matrix/client/v3/keys/upload", body)).AssertOkAsync();

    public static async Task<JsonElement> QueryKeysAsync(this HttpClient c, params string[] userIds) =>
        await (await c.PostAsJsonAsync("/_matrix/client/v3/keys/query",
            new { device_keys = userIds.ToDictionary(u => u, _ => Array.Empty<string>()) })).AssertOkAsync();
}
