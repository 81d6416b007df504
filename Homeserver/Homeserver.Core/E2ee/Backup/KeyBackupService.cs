using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.E2ee.Backup;

/// <summary>
/// Server-side key backups (spec "Server-side key backups"): versions with their <c>auth_data</c>, and encrypted
/// session keys stored per room and session. Keys can only be written to the latest version.
/// </summary>
public sealed class KeyBackupService(KeyBackupStore store)
{
    public const int MaxSessionDataBytes = 16_384;
    public const int MaxAuthDataBytes = 16_384;

    public async Task<string> CreateVersionAsync(UserId userId, JsonElement body, CancellationToken ct)
    {
        var (algorithm, authData) = VersionBody(body);
        return Format(await store.CreateVersionAsync(userId.ToString(), algorithm, authData, ct));
    }

    /// <summary>The version's description; the latest when <paramref name="version"/> is null.</summary>
    public async Task<JsonObject> DescribeAsync(UserId userId, string? version, CancellationToken ct)
    {
        var v = await LiveVersionAsync(userId, version, ct);
        return new JsonObject
        {
            ["algorithm"] = v.Algorithm,
            ["auth_data"] = JsonNode.Parse(v.AuthData),
            ["count"] = await store.CountAsync(userId.ToString(), v.Version, ct),
            ["etag"] = Format(v.Etag),
            ["version"] = Format(v.Version),
        };
    }

    public async Task UpdateVersionAsync(UserId userId, string version, JsonElement body, CancellationToken ct)
    {
        var v = await LiveVersionAsync(userId, version, ct);
        var (algorithm, authData) = VersionBody(body);
        if (algorithm != v.Algorithm)
            throw MatrixException.InvalidParam("algorithm does not match the backup's algorithm");
        if (body.TryGetProperty("version", out var inBody) && (inBody.ValueKind != JsonValueKind.String || inBody.GetString() != version))
            throw MatrixException.InvalidParam("version in the body does not match the version in the path");
        await store.UpdateAuthDataAsync(userId.ToString(), v.Version, authData, ct);
    }

    /// <summary>Deleting a version deleted before succeeds again; only a version that never existed is not found.</summary>
    public async Task DeleteVersionAsync(UserId userId, string version, CancellationToken ct)
    {
        var v = await store.VersionAsync(userId.ToString(), Parse(version), ct) ?? throw UnknownVersion();
        if (v.Deleted == 0)
            await store.DeleteVersionAsync(userId.ToString(), v.Version, ct);
    }

    /// <summary>Stores keys given at the level the path names: all rooms, one room, or one session.</summary>
    public async Task<JsonObject> PutKeysAsync(UserId userId, string? version, RoomId? roomId, string? sessionId, JsonElement body, CancellationToken ct)
    {
        var current = await store.VersionAsync(userId.ToString(), null, ct) ?? throw UnknownVersion();
        if (RequiredVersion(version) != Format(current.Version))
            throw new MatrixException(403, ErrorCodes.WrongRoomKeysVersion, "Keys can only be stored in the current backup version")
            {
                Extra = new Dictionary<string, object?> { ["current_version"] = Format(current.Version) },
            };
        var keys = new List<BackedUpKey>();
        if (roomId is null)
        {
            if (!body.TryGetProperty("rooms", out var rooms) || rooms.ValueKind != JsonValueKind.Object)
                throw MatrixException.BadJson("rooms must be an object of room IDs");
            foreach (var room in rooms.EnumerateObject())
                keys.AddRange(RoomKeys(RoomId.Parse(room.Name), room.Value, $"rooms.{room.Name}"));
        }
        else if (sessionId is null)
            keys.AddRange(RoomKeys(roomId.Value, body, "body"));
        else
            keys.Add(Key(roomId.Value, sessionId, body, "body"));
        return Summary(await store.PutKeysAsync(userId.ToString(), current.Version, keys, ct));
    }

    /// <summary>
    /// The keys at the level the path names. <paramref name="roomId"/> is matched as given: a room ID that cannot
    /// exist matches no key, and the spec answers no keys with an empty result, not an error.
    /// </summary>
    public async Task<JsonObject> GetKeysAsync(UserId userId, string? version, string? roomId, string? sessionId, CancellationToken ct)
    {
        var v = await LiveVersionAsync(userId, RequiredVersion(version), ct);
        var keys = await store.KeysAsync(userId.ToString(), v.Version, roomId, sessionId, ct);
        if (sessionId is not null)
            return keys.Count == 1 ? KeyData(keys[0]) : throw MatrixException.NotFound("No key backed up for this session");
        if (roomId is not null)
            return Sessions(keys);
        var rooms = new JsonObject();
        foreach (var room in keys.GroupBy(k => k.RoomId))
            rooms[room.Key] = Sessions(room);
        return new JsonObject { ["rooms"] = rooms };
    }

    /// <summary>Deletes the keys at the level the path names; <paramref name="roomId"/> is matched as <see cref="GetKeysAsync"/> does.</summary>
    public async Task<JsonObject> DeleteKeysAsync(UserId userId, string? version, string? roomId, string? sessionId, CancellationToken ct)
    {
        var v = await LiveVersionAsync(userId, RequiredVersion(version), ct);
        return Summary(await store.DeleteKeysAsync(userId.ToString(), v.Version, roomId, sessionId, ct));
    }

    private async Task<KeyBackupStore.BackupVersion> LiveVersionAsync(UserId userId, string? version, CancellationToken ct)
    {
        var v = await store.VersionAsync(userId.ToString(), version is null ? null : Parse(version), ct);
        return v is { Deleted: 0 } ? v : throw UnknownVersion();
    }

    private static IEnumerable<BackedUpKey> RoomKeys(RoomId roomId, JsonElement room, string field)
    {
        if (room.ValueKind != JsonValueKind.Object || !room.TryGetProperty("sessions", out var sessions) || sessions.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson($"{field}.sessions must be an object of session IDs");
        return sessions.EnumerateObject().Select(s => Key(roomId, s.Name, s.Value, $"{field}.sessions.{s.Name}")).ToList();
    }

    private static BackedUpKey Key(RoomId roomId, string sessionId, JsonElement data, string field)
    {
        if (data.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson($"{field} must be an object");
        // Opaque to the server like auth_data: any JSON value is kept, as Synapse keeps it.
        if (!data.TryGetProperty("session_data", out var sessionData) || sessionData.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            throw MatrixException.BadJson($"{field}.session_data is required");
        if (System.Text.Encoding.UTF8.GetByteCount(sessionData.GetRawText()) > MaxSessionDataBytes)
            throw new MatrixException(413, ErrorCodes.TooLarge, $"{field}.session_data may not exceed {MaxSessionDataBytes} bytes");
        if (!data.TryGetProperty("is_verified", out var verified) || verified.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            throw MatrixException.BadJson($"{field}.is_verified must be a boolean");
        return new BackedUpKey
        {
            RoomId = roomId.ToString(),
            SessionId = sessionId.Length is > 0 and <= 255 ? sessionId : throw MatrixException.InvalidParam("Session IDs are 1 to 255 characters"),
            FirstMessageIndex = Count(data, "first_message_index", field),
            ForwardedCount = Count(data, "forwarded_count", field),
            IsVerified = verified.GetBoolean() ? 1 : 0,
            SessionData = sessionData.GetRawText(),
        };
    }

    private static long Count(JsonElement data, string name, string field) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0
            ? n
            : throw MatrixException.BadJson($"{field}.{name} must be a non-negative integer");

    private static JsonObject Sessions(IEnumerable<BackedUpKey> keys)
    {
        var sessions = new JsonObject();
        foreach (var k in keys)
            sessions[k.SessionId] = KeyData(k);
        return new JsonObject { ["sessions"] = sessions };
    }

    private static JsonObject KeyData(BackedUpKey k) => new()
    {
        ["first_message_index"] = k.FirstMessageIndex,
        ["forwarded_count"] = k.ForwardedCount,
        ["is_verified"] = k.IsVerified != 0,
        ["session_data"] = JsonNode.Parse(k.SessionData),
    };

    private static JsonObject Summary(KeyBackupStore.Summary s) => new() { ["etag"] = Format(s.Etag), ["count"] = s.Count };

    private static (string Algorithm, string AuthData) VersionBody(JsonElement body)
    {
        if (!body.TryGetProperty("algorithm", out var algorithm) || algorithm.ValueKind != JsonValueKind.String || algorithm.GetString() is not { Length: > 0 and <= 255 })
            throw MatrixException.BadJson("algorithm must be a string");
        // auth_data is opaque to the server: the spec's schema says object, but Synapse stores any JSON value and
        // clients (and SyTest) have sent strings, so only its presence is required.
        if (!body.TryGetProperty("auth_data", out var authData) || authData.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            throw MatrixException.BadJson("auth_data is required");
        if (System.Text.Encoding.UTF8.GetByteCount(authData.GetRawText()) > MaxAuthDataBytes)
            throw new MatrixException(413, ErrorCodes.TooLarge, $"auth_data may not exceed {MaxAuthDataBytes} bytes");
        return (algorithm.GetString()!, authData.GetRawText());
    }

    private static string RequiredVersion(string? version) =>
        version ?? throw MatrixException.MissingParam("The version query parameter is required");

    /// <summary>Versions are numbers here; anything else names a version that does not exist.</summary>
    private static long Parse(string version) =>
        long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1;

    private static string Format(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static MatrixException UnknownVersion() => MatrixException.NotFound("Unknown backup version");
}
