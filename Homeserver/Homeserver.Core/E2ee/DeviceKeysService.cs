using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;

namespace Homeserver.Core.E2ee;

/// <summary>
/// The key management API (spec "Key management API"): <c>/keys/upload</c>, <c>/keys/query</c> and <c>/keys/claim</c>.
/// Users of other servers are answered from their kept device lists, or asked of their server.
/// </summary>
public sealed class DeviceKeysService(DeviceKeyStore keys, CrossSigningStore crossSigning, DeviceListStore deviceLists, IDeviceListRelay relay,
    IRemoteKeys remoteKeys, RemoteDeviceLists remoteLists, ServerIdentity server)
{
    /// <summary>The algorithm clients count their one-time keys in; reported even at zero, as clients wait for it before uploading.</summary>
    public const string SignedCurve25519 = "signed_curve25519";
    public const int MaxQueriedUsers = 1_000;
    private static readonly TimeSpan DefaultRemoteTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxRemoteTimeout = TimeSpan.FromMinutes(1);

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
        await keys.UploadAsync(user, deviceId, deviceKeys, oneTime, fallback, async st =>
        {
            var streamId = await DeviceListStore.RecordChangeAsync(st, user, ct);
            await relay.DevicesChangedAsync(st, user, streamId, [deviceId], deleted: false, ct);
        }, ct);
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

    /// <summary>
    /// <c>/keys/query</c>: our users' keys from the database, other servers' users' from their kept device lists (resynced
    /// when not kept) or, for users sharing no room with ours, from their server; servers are asked side by side within the
    /// body's <c>timeout</c>, and one that cannot be reached is named under <c>failures</c>.
    /// </summary>
    public async Task<JsonObject> QueryAsync(UserId requester, JsonElement body, CancellationToken ct)
    {
        var users = ReadQuery(body);
        var answer = new JsonObject
        {
            ["device_keys"] = new JsonObject(),
            ["master_keys"] = new JsonObject(),
            ["self_signing_keys"] = new JsonObject(),
            ["user_signing_keys"] = new JsonObject(),
            ["failures"] = new JsonObject(),
        };
        foreach (var (userId, wanted) in users.Where(u => u.UserId.ServerName == server.ServerName))
            await AddLocalKeysAsync(answer, userId, wanted, requester, ct);
        var timeout = Timeout(body);
        var lists = await Task.WhenAll(users.Where(u => u.UserId.ServerName != server.ServerName).Select(async u =>
            (u.UserId, u.Devices, Kept: await AskAsync(u.UserId.ServerName, () => remoteLists.CurrentAsync(u.UserId.ToString(), timeout, ct)))));
        foreach (var (userId, wanted, (serverName, list, failure)) in lists)
        {
            if (failure is not null)
                answer["failures"]![serverName] = failure;
            else if (list is not null)
                RemoteDeviceLists.AddTo(answer, userId.ToString(), list, wanted);
        }
        var remote = lists.Where(l => l.Kept.Failure is null && l.Kept.Result is null).Select(l => (l.UserId, l.Devices))
            .GroupBy(u => u.UserId.ServerName).ToList();
        var asked = await Task.WhenAll(remote.Select(g => AskAsync(g.Key, () => remoteKeys.QueryAsync(g.Key,
            new JsonObject(g.Select(u => KeyValuePair.Create(u.UserId.ToString(), (JsonNode?)new JsonArray(u.Devices.Select(d => (JsonNode?)d).ToArray())))),
            timeout, ct))));
        foreach (var (serverName, result, failure) in asked)
        {
            if (failure is not null)
            {
                answer["failures"]![serverName] = failure;
                continue;
            }
            foreach (var field in new[] { "device_keys", "master_keys", "self_signing_keys" })
                CopyUsersOf(serverName, result?[field], answer[field]!.AsObject());
        }
        return answer;
    }

    /// <summary><c>/user/keys/query</c> from another server: our users' device, master and self-signing keys; others are not ours to answer.</summary>
    public async Task<JsonObject> QueryForServerAsync(JsonElement body, CancellationToken ct)
    {
        var answer = new JsonObject { ["device_keys"] = new JsonObject(), ["master_keys"] = new JsonObject(), ["self_signing_keys"] = new JsonObject() };
        foreach (var (userId, wanted) in ReadQuery(body).Where(u => u.UserId.ServerName == server.ServerName))
            await AddLocalKeysAsync(answer, userId, wanted, requester: null, ct);
        return answer;
    }

    /// <summary>
    /// <c>/user/devices/{userId}</c> from another server: the user's devices with their keys, the master and self-signing
    /// keys, and the position of the user's latest change, where the <c>prev_id</c> chain of later updates starts.
    /// </summary>
    /// <exception cref="MatrixException">404 <c>M_NOT_FOUND</c> for a user not of this server.</exception>
    public async Task<JsonObject> DeviceListForServerAsync(UserId userId, CancellationToken ct)
    {
        if (userId.ServerName != server.ServerName)
            throw MatrixException.NotFound($"{userId} is not a user of this server");
        var user = userId.ToString();
        var streamId = await deviceLists.LatestChangeAsync(user, ct);
        var found = new JsonObject { ["device_keys"] = new JsonObject(), ["master_keys"] = new JsonObject(), ["self_signing_keys"] = new JsonObject() };
        await AddLocalKeysAsync(found, userId, [], requester: null, ct);
        var devices = new JsonArray();
        foreach (var (deviceId, node) in found["device_keys"]![user]!.AsObject())
        {
            var deviceKeys = node!.DeepClone().AsObject();
            var device = new JsonObject { ["device_id"] = deviceId };
            if (deviceKeys["unsigned"]?["device_display_name"] is { } name)
                device["device_display_name"] = name.DeepClone();
            deviceKeys.Remove("unsigned");
            device["keys"] = deviceKeys;
            devices.Add(device);
        }
        var answer = new JsonObject { ["user_id"] = user, ["stream_id"] = streamId, ["devices"] = devices };
        if (found["master_keys"]![user] is { } master)
            answer["master_key"] = master.DeepClone();
        if (found["self_signing_keys"]![user] is { } selfSigning)
            answer["self_signing_key"] = selfSigning.DeepClone();
        return answer;
    }

    private static List<(UserId UserId, IReadOnlyList<string> Devices)> ReadQuery(JsonElement body)
    {
        if (!body.TryGetProperty("device_keys", out var query) || query.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson("device_keys must be an object of user IDs");
        var users = query.EnumerateObject().ToList();
        if (users.Count > MaxQueriedUsers)
            throw MatrixException.InvalidParam($"At most {MaxQueriedUsers} users may be queried at once");
        return users.Select(user =>
        {
            var userId = UserId.Parse(user.Name);
            if (user.Value.ValueKind != JsonValueKind.Array || user.Value.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String))
                throw MatrixException.BadJson($"device_keys.{user.Name} must be an array of device IDs");
            return (userId, (IReadOnlyList<string>)user.Value.EnumerateArray().Select(d => d.GetString()!).ToList());
        }).ToList();
    }

    /// <summary>A local user's keys into <paramref name="answer"/>; the user-signing key only for the user themselves.</summary>
    private async Task AddLocalKeysAsync(JsonObject answer, UserId userId, IReadOnlyList<string> devicesWanted, UserId? requester, CancellationToken ct)
    {
        var user = userId.ToString();
        var wanted = devicesWanted.ToHashSet(StringComparer.Ordinal);
        // Another server sees the signatures the user made; a local requester also their own.
        var signatures = await crossSigning.VisibleSignaturesAsync(user, (requester ?? userId).ToString(), ct);
        var devices = new JsonObject();
        foreach (var row in await keys.DevicesOfUserAsync(user, ct))
        {
            if (wanted.Count > 0 && !wanted.Contains(row.DeviceId))
                continue;
            var device = ParseObject(row.KeyJson);
            AddSignatures(device, signatures[row.DeviceId]);
            // unsigned is always there, as in Synapse; clients and SyTest look for it.
            device["unsigned"] = row.DisplayName is null ? new JsonObject() : new JsonObject { ["device_display_name"] = row.DisplayName };
            devices[row.DeviceId] = device;
        }
        answer["device_keys"]![user] = devices;
        var cross = await crossSigning.KeysAsync(user, ct);
        if (cross.TryGetValue(CrossSigningStore.Master, out var master))
        {
            var node = ParseObject(master.KeyJson);
            AddSignatures(node, signatures[master.PublicKey]);
            answer["master_keys"]![user] = node;
        }
        if (cross.TryGetValue(CrossSigningStore.SelfSigning, out var ssk))
            answer["self_signing_keys"]![user] = ParseObject(ssk.KeyJson);
        if (userId == requester && cross.TryGetValue(CrossSigningStore.UserSigning, out var usk))
            answer["user_signing_keys"]![user] = ParseObject(usk.KeyJson);
    }

    /// <summary>
    /// <c>/keys/claim</c>: a one-time key (or the fallback key) per device asked for, our users' from the database, other
    /// servers' users' from their server side by side within the body's <c>timeout</c>; unreachable servers under <c>failures</c>.
    /// </summary>
    public async Task<JsonObject> ClaimAsync(JsonElement body, CancellationToken ct)
    {
        var users = ReadClaim(body);
        var claimed = new JsonObject();
        var failures = new JsonObject();
        foreach (var (userId, devices) in users.Where(u => u.UserId.ServerName == server.ServerName))
            await ClaimLocalAsync(claimed, userId, devices, ct);
        var timeout = Timeout(body);
        var remote = users.Where(u => u.UserId.ServerName != server.ServerName).GroupBy(u => u.UserId.ServerName).ToList();
        var asked = await Task.WhenAll(remote.Select(g => AskAsync(g.Key, () => remoteKeys.ClaimAsync(g.Key,
            new JsonObject(g.Select(u => KeyValuePair.Create(u.UserId.ToString(),
                (JsonNode?)new JsonObject(u.Devices.Select(d => KeyValuePair.Create(d.DeviceId, (JsonNode?)d.Algorithm)))))),
            timeout, ct))));
        foreach (var (serverName, result, failure) in asked)
        {
            if (failure is not null)
                failures[serverName] = failure;
            else
                CopyUsersOf(serverName, result?["one_time_keys"], claimed);
        }
        return new JsonObject { ["one_time_keys"] = claimed, ["failures"] = failures };
    }

    /// <summary><c>/user/keys/claim</c> from another server: keys of our users only.</summary>
    public async Task<JsonObject> ClaimForServerAsync(JsonElement body, CancellationToken ct)
    {
        var claimed = new JsonObject();
        foreach (var (userId, devices) in ReadClaim(body).Where(u => u.UserId.ServerName == server.ServerName))
            await ClaimLocalAsync(claimed, userId, devices, ct);
        return new JsonObject { ["one_time_keys"] = claimed };
    }

    private static List<(UserId UserId, IReadOnlyList<(string DeviceId, string Algorithm)> Devices)> ReadClaim(JsonElement body)
    {
        if (!body.TryGetProperty("one_time_keys", out var query) || query.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson("one_time_keys must be an object of user IDs");
        if (query.EnumerateObject().Count() > MaxQueriedUsers)
            throw MatrixException.InvalidParam($"At most {MaxQueriedUsers} users may be claimed from at once");
        return query.EnumerateObject().Select(user =>
        {
            var userId = UserId.Parse(user.Name);
            if (user.Value.ValueKind != JsonValueKind.Object || user.Value.EnumerateObject().Any(d => d.Value.ValueKind != JsonValueKind.String))
                throw MatrixException.BadJson($"one_time_keys.{user.Name} must map device IDs to algorithms");
            return (userId, (IReadOnlyList<(string, string)>)user.Value.EnumerateObject().Select(d => (d.Name, d.Value.GetString()!)).ToList());
        }).ToList();
    }

    private async Task ClaimLocalAsync(JsonObject claimed, UserId userId, IReadOnlyList<(string DeviceId, string Algorithm)> wanted, CancellationToken ct)
    {
        var devices = new JsonObject();
        foreach (var (deviceId, algorithm) in wanted)
            if (await keys.ClaimAsync(userId.ToString(), deviceId, algorithm, ct) is { } key)
                devices[deviceId] = new JsonObject { [$"{algorithm}:{key.KeyId}"] = JsonNode.Parse(key.KeyJson) };
        if (devices.Count > 0)
            claimed[userId.ToString()] = devices;
    }

    /// <summary>The body's <c>timeout</c> (ms) for other servers' answers: 10 seconds unless given, as Synapse waits, at most a minute.</summary>
    private static TimeSpan Timeout(JsonElement body) =>
        body.TryGetProperty("timeout", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var ms) && ms >= 0
            ? TimeSpan.FromMilliseconds(Math.Min(ms, MaxRemoteTimeout.TotalMilliseconds))
            : DefaultRemoteTimeout;

    /// <summary>One server's answer, or the failure the spec lists under its name (Synapse's shape: a status and a message).</summary>
    private static async Task<(string Server, T? Result, JsonObject? Failure)> AskAsync<T>(string serverName, Func<Task<T>> ask) where T : class?
    {
        try
        {
            return (serverName, await ask(), null);
        }
        catch (HttpRequestException e)
        {
            return (serverName, null, new JsonObject { ["status"] = 503, ["message"] = e.Message });
        }
    }

    /// <summary>Copies from a server's answer the entries of that server's users only: a server speaks for its own users.</summary>
    private static void CopyUsersOf(string serverName, JsonNode? from, JsonObject into)
    {
        if (from is not JsonObject byUser)
            return;
        foreach (var (user, value) in byUser)
            if (value is JsonObject && UserId.TryParse(user, out var id) && id.Value.ServerName == serverName)
                into[user] = value.DeepClone();
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

}
