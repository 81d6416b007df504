using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;

namespace Homeserver.Core.E2ee;

/// <summary>
/// The key management API (spec "Key management API"): <c>/keys/upload</c>, <c>/keys/query</c> and <c>/keys/claim</c>.
/// Users of other servers are answered under <c>failures</c> until federation exists.
/// </summary>
public sealed class DeviceKeysService(DeviceKeyStore keys, CrossSigningStore crossSigning, ServerIdentity server)
{
    /// <summary>The algorithm clients count their one-time keys in; reported even at zero, as clients wait for it before uploading.</summary>
    public const string SignedCurve25519 = "signed_curve25519";
    public const int MaxQueriedUsers = 1_000;

    public async Task<JsonObject> UploadAsync(UserId userId, string deviceId, JsonElement body, CancellationToken ct)
    {
        string? deviceKeys = null;
        if (body.TryGetProperty("device_keys", out var dk) && dk.ValueKind != JsonValueKind.Null)
            deviceKeys = Canonical(KeyUploadValidator.DeviceKeys(dk, userId, deviceId));
        var oneTime = body.TryGetProperty("one_time_keys", out var otk) && otk.ValueKind != JsonValueKind.Null
            ? KeyUploadValidator.OneTimeKeys(otk, "one_time_keys") : [];
        var fallback = body.TryGetProperty("fallback_keys", out var fk) && fk.ValueKind != JsonValueKind.Null
            ? KeyUploadValidator.OneTimeKeys(fk, "fallback_keys") : [];
        if (fallback.GroupBy(k => k.Algorithm).Any(g => g.Count() > 1))
            throw MatrixException.InvalidParam("fallback_keys may hold one key per algorithm");
        var user = userId.ToString();
        await keys.UploadAsync(user, deviceId, deviceKeys, oneTime, fallback, st => DeviceListStore.RecordChangeAsync(st, user, ct), ct);
        return new JsonObject { ["one_time_key_counts"] = await CountsAsync(userId, deviceId, ct) };
    }

    /// <summary>The device's unclaimed one-time keys per algorithm, <c>signed_curve25519</c> always present.</summary>
    public async Task<JsonObject> CountsAsync(UserId userId, string deviceId, CancellationToken ct) =>
        CountsJson((await keys.KeyStockAsync(userId.ToString(), deviceId, ct)).OneTimeKeyCounts);

    public static JsonObject CountsJson(Dictionary<string, long> counts)
    {
        counts.TryAdd(SignedCurve25519, 0);
        return new JsonObject(counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value)));
    }

    public async Task<JsonObject> QueryAsync(UserId requester, JsonElement body, CancellationToken ct)
    {
        if (!body.TryGetProperty("device_keys", out var query) || query.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson("device_keys must be an object of user IDs");
        var users = query.EnumerateObject().ToList();
        if (users.Count > MaxQueriedUsers)
            throw MatrixException.InvalidParam($"At most {MaxQueriedUsers} users may be queried at once");
        var deviceKeys = new JsonObject();
        var masters = new JsonObject();
        var selfSigning = new JsonObject();
        var userSigning = new JsonObject();
        var failures = new JsonObject();
        foreach (var user in users)
        {
            var userId = UserId.Parse(user.Name);
            if (user.Value.ValueKind != JsonValueKind.Array || user.Value.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String))
                throw MatrixException.BadJson($"device_keys.{user.Name} must be an array of device IDs");
            if (userId.ServerName != server.ServerName)
            {
                failures[userId.ServerName] = RemoteFailure();
                continue;
            }
            var wanted = user.Value.EnumerateArray().Select(d => d.GetString()!).ToHashSet(StringComparer.Ordinal);
            var signatures = await crossSigning.VisibleSignaturesAsync(user.Name, requester.ToString(), ct);
            var devices = new JsonObject();
            foreach (var row in await keys.DevicesOfUserAsync(user.Name, ct))
            {
                if (wanted.Count > 0 && !wanted.Contains(row.DeviceId))
                    continue;
                var device = ParseObject(row.KeyJson);
                AddSignatures(device, signatures[row.DeviceId]);
                if (row.DisplayName is not null)
                    device["unsigned"] = new JsonObject { ["device_display_name"] = row.DisplayName };
                devices[row.DeviceId] = device;
            }
            deviceKeys[user.Name] = devices;
            var cross = await crossSigning.KeysAsync(user.Name, ct);
            if (cross.TryGetValue(CrossSigningStore.Master, out var master))
            {
                var node = ParseObject(master.KeyJson);
                AddSignatures(node, signatures[master.PublicKey]);
                masters[user.Name] = node;
            }
            if (cross.TryGetValue(CrossSigningStore.SelfSigning, out var ssk))
                selfSigning[user.Name] = ParseObject(ssk.KeyJson);
            if (userId == requester && cross.TryGetValue(CrossSigningStore.UserSigning, out var usk))
                userSigning[user.Name] = ParseObject(usk.KeyJson);
        }
        return new JsonObject
        {
            ["device_keys"] = deviceKeys,
            ["master_keys"] = masters,
            ["self_signing_keys"] = selfSigning,
            ["user_signing_keys"] = userSigning,
            ["failures"] = failures,
        };
    }

    public async Task<JsonObject> ClaimAsync(JsonElement body, CancellationToken ct)
    {
        if (!body.TryGetProperty("one_time_keys", out var query) || query.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson("one_time_keys must be an object of user IDs");
        if (query.EnumerateObject().Count() > MaxQueriedUsers)
            throw MatrixException.InvalidParam($"At most {MaxQueriedUsers} users may be claimed from at once");
        var claimed = new JsonObject();
        var failures = new JsonObject();
        foreach (var user in query.EnumerateObject())
        {
            var userId = UserId.Parse(user.Name);
            if (user.Value.ValueKind != JsonValueKind.Object || user.Value.EnumerateObject().Any(d => d.Value.ValueKind != JsonValueKind.String))
                throw MatrixException.BadJson($"one_time_keys.{user.Name} must map device IDs to algorithms");
            if (userId.ServerName != server.ServerName)
            {
                failures[userId.ServerName] = RemoteFailure();
                continue;
            }
            var devices = new JsonObject();
            foreach (var device in user.Value.EnumerateObject())
                if (await keys.ClaimAsync(user.Name, device.Name, device.Value.GetString()!, ct) is { } key)
                    devices[device.Name] = new JsonObject { [$"{device.Value.GetString()}:{key.KeyId}"] = JsonNode.Parse(key.KeyJson) };
            if (devices.Count > 0)
                claimed[user.Name] = devices;
        }
        return new JsonObject { ["one_time_keys"] = claimed, ["failures"] = failures };
    }

    /// <summary>Adds stored signatures to a key object, next to the ones it was uploaded with.</summary>
    internal static void AddSignatures(JsonObject key, IEnumerable<(string SignerUserId, string SignerKeyId, string Signature)> extra)
    {
        foreach (var (signer, keyId, signature) in extra)
        {
            var all = key["signatures"] as JsonObject ?? (JsonObject)(key["signatures"] = new JsonObject());
            var bySigner = all[signer] as JsonObject ?? (JsonObject)(all[signer] = new JsonObject());
            bySigner[keyId] = signature;
        }
    }

    internal static string Canonical(JsonNode node)
    {
        try
        {
            return CanonicalJson.EncodeToString(node);
        }
        catch (CanonicalJsonException e)
        {
            throw MatrixException.BadJson("Keys must be canonical JSON: " + e.Message);
        }
    }

    internal static JsonObject ParseObject(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static JsonObject RemoteFailure() =>
        new() { ["errcode"] = ErrorCodes.Unknown, ["error"] = "This server does not reach other servers yet" };
}
