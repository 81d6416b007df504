using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.E2ee;

/// <summary>Room-key backup: versions, keys at three levels, the replacement rule, etag and count, version errors.</summary>
public sealed class KeyBackupTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string Algorithm = "m.megolm_backup.v1.curve25519-aes-sha2";
    private const string Room = "!room:test.local";

    private static object Key(int firstIndex, bool verified, int forwarded, string marker) => new
    {
        first_message_index = firstIndex,
        forwarded_count = forwarded,
        is_verified = verified,
        session_data = new { ciphertext = marker, ephemeral = "e", mac = "m" },
    };

    private static async Task<string> CreateAsync(HttpClient c, string publicKey = "abc") =>
        (await (await c.PostAsJsonAsync("/_matrix/client/v3/room_keys/version", new { algorithm = Algorithm, auth_data = new { public_key = publicKey } })).AssertOkAsync())
            .GetProperty("version").GetString()!;

    private static string KeysUrl(string version, string? room = null, string? session = null) =>
        "/_matrix/client/v3/room_keys/keys" + (room is null ? "" : "/" + Uri.EscapeDataString(room)) + (session is null ? "" : "/" + session) + "?version=" + version;

    private static string Marker(JsonElement key) => key.GetProperty("session_data").GetProperty("ciphertext").GetString()!;

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Keys_RoundTripAtEveryLevel_KeepingTheBetterKey(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        await (await a.GetAsync("/_matrix/client/v3/room_keys/version")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        var version = await CreateAsync(a);
        var info = await (await a.GetAsync("/_matrix/client/v3/room_keys/version")).AssertOkAsync();
        Assert.Equal(version, info.GetProperty("version").GetString());
        Assert.Equal(0, info.GetProperty("count").GetInt32());
        Assert.Equal("abc", info.GetProperty("auth_data").GetProperty("public_key").GetString());
        var etag0 = info.GetProperty("etag").GetString();

        var put = await (await a.PutAsJsonAsync(KeysUrl(version, Room, "s1"), Key(5, false, 1, "first"))).AssertOkAsync();
        Assert.Equal(1, put.GetProperty("count").GetInt32());
        Assert.NotEqual(etag0, put.GetProperty("etag").GetString());
        await (await a.PutAsJsonAsync(KeysUrl(version, Room), new { sessions = new Dictionary<string, object> { ["s2"] = Key(0, false, 0, "second") } })).AssertOkAsync();
        await (await a.PutAsJsonAsync(KeysUrl(version), new
        {
            rooms = new Dictionary<string, object> { ["!other:test.local"] = new { sessions = new Dictionary<string, object> { ["s3"] = Key(0, true, 0, "third") } } },
        })).AssertOkAsync();

        // A worse key (unverified, higher index) leaves the stored one alone and the etag unchanged; a verified one replaces it.
        var before = await (await a.GetAsync("/_matrix/client/v3/room_keys/version/" + version)).AssertOkAsync();
        var worse = await (await a.PutAsJsonAsync(KeysUrl(version, Room, "s1"), Key(9, false, 0, "worse"))).AssertOkAsync();
        Assert.Equal(before.GetProperty("etag").GetString(), worse.GetProperty("etag").GetString());
        Assert.Equal("first", Marker(await (await a.GetAsync(KeysUrl(version, Room, "s1"))).AssertOkAsync()));
        await (await a.PutAsJsonAsync(KeysUrl(version, Room, "s1"), Key(9, true, 3, "verified"))).AssertOkAsync();
        Assert.Equal("verified", Marker(await (await a.GetAsync(KeysUrl(version, Room, "s1"))).AssertOkAsync()));
        await (await a.PutAsJsonAsync(KeysUrl(version, Room, "s1"), Key(2, true, 3, "lower index"))).AssertOkAsync();
        await (await a.PutAsJsonAsync(KeysUrl(version, Room, "s1"), Key(2, true, 9, "more forwarded"))).AssertOkAsync();
        Assert.Equal("lower index", Marker(await (await a.GetAsync(KeysUrl(version, Room, "s1"))).AssertOkAsync()));

        var all = await (await a.GetAsync(KeysUrl(version))).AssertOkAsync();
        Assert.Equal(["s1", "s2"], all.GetProperty("rooms").GetProperty(Room).GetProperty("sessions").EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, (await (await a.GetAsync("/_matrix/client/v3/room_keys/version/" + version)).AssertOkAsync()).GetProperty("count").GetInt32());
        var room = await (await a.GetAsync(KeysUrl(version, Room))).AssertOkAsync();
        Assert.Equal(2, room.GetProperty("sessions").EnumerateObject().Count());
        Assert.Empty((await (await a.GetAsync(KeysUrl(version, "!empty:test.local"))).AssertOkAsync()).GetProperty("sessions").EnumerateObject());

        var deleted = await (await a.DeleteAsync(KeysUrl(version, Room, "s2"))).AssertOkAsync();
        Assert.Equal(2, deleted.GetProperty("count").GetInt32());
        await (await a.GetAsync(KeysUrl(version, Room, "s2"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Equal(1, (await (await a.DeleteAsync(KeysUrl(version, Room))).AssertOkAsync()).GetProperty("count").GetInt32());
        Assert.Equal(0, (await (await a.DeleteAsync(KeysUrl(version))).AssertOkAsync()).GetProperty("count").GetInt32());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OnlyTheCurrentVersion_TakesKeys_AndDeletedVersionsAreGone(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        await (await a.PutAsJsonAsync(KeysUrl("1", Room, "s"), Key(0, false, 0, "x"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        var old = await CreateAsync(a);
        var current = await CreateAsync(a);
        Assert.NotEqual(old, current);
        var wrong = await (await a.PutAsJsonAsync(KeysUrl(old, Room, "s"), Key(0, false, 0, "x"))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_WRONG_ROOM_KEYS_VERSION");
        Assert.Equal(current, wrong.GetProperty("current_version").GetString());
        await (await a.PutAsJsonAsync("/_matrix/client/v3/room_keys/keys/" + Uri.EscapeDataString(Room) + "/s", Key(0, false, 0, "x"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");

        await (await a.PutAsJsonAsync("/_matrix/client/v3/room_keys/version/" + current, new { algorithm = "other.algorithm", auth_data = new { } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.PutAsJsonAsync("/_matrix/client/v3/room_keys/version/" + current, new { algorithm = Algorithm, auth_data = new { }, version = old })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.PutAsJsonAsync("/_matrix/client/v3/room_keys/version/" + current, new { algorithm = Algorithm, auth_data = new { public_key = "new" } })).AssertOkAsync();
        Assert.Equal("new", (await (await a.GetAsync("/_matrix/client/v3/room_keys/version/" + current)).AssertOkAsync()).GetProperty("auth_data").GetProperty("public_key").GetString());

        await (await a.DeleteAsync("/_matrix/client/v3/room_keys/version/" + current)).AssertOkAsync();
        await (await a.DeleteAsync("/_matrix/client/v3/room_keys/version/" + current)).AssertOkAsync();
        await (await a.GetAsync("/_matrix/client/v3/room_keys/version/" + current)).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.DeleteAsync("/_matrix/client/v3/room_keys/version/999999")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.GetAsync(KeysUrl(current))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        // With the newest version deleted, the older one is current again.
        Assert.Equal(old, (await (await a.GetAsync("/_matrix/client/v3/room_keys/version")).AssertOkAsync()).GetProperty("version").GetString());

        await (await a.PutAsJsonAsync(KeysUrl(old, Room, "s"), new { first_message_index = 0 })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await a.PostAsJsonAsync("/_matrix/client/v3/room_keys/version", new { algorithm = Algorithm })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
    }

    [Fact]
    public async Task AuthData_OfAnyJsonValue_IsKept_ButMustBePresent()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        // The server never reads auth_data; Synapse keeps strings too, and SyTest sends them.
        var version = (await (await a.PostAsJsonAsync("/_matrix/client/v3/room_keys/version", new { algorithm = Algorithm, auth_data = "opaque" })).AssertOkAsync())
            .GetProperty("version").GetString()!;
        Assert.Equal("opaque", (await (await a.GetAsync("/_matrix/client/v3/room_keys/version/" + version)).AssertOkAsync()).GetProperty("auth_data").GetString());
        await (await a.PutAsJsonAsync("/_matrix/client/v3/room_keys/version/" + version, new { algorithm = Algorithm, auth_data = new[] { 1, 2 }, version })).AssertOkAsync();
        Assert.Equal(2, (await (await a.GetAsync("/_matrix/client/v3/room_keys/version")).AssertOkAsync()).GetProperty("auth_data").GetArrayLength());
        // session_data is as opaque.
        await (await a.PutAsJsonAsync(KeysUrl(version, Room, "s1"), new { first_message_index = 3, forwarded_count = 0, is_verified = false, session_data = "opaque" })).AssertOkAsync();
        Assert.Equal("opaque", (await (await a.GetAsync(KeysUrl(version, Room, "s1"))).AssertOkAsync()).GetProperty("session_data").GetString());
        await (await a.PutAsJsonAsync(KeysUrl(version, Room, "s2"), new { first_message_index = 3, forwarded_count = 0, is_verified = false })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");

        await (await a.PostAsJsonAsync("/_matrix/client/v3/room_keys/version", new { algorithm = Algorithm })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await a.PostAsJsonAsync("/_matrix/client/v3/room_keys/version", new { algorithm = Algorithm, auth_data = (string?)null })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await a.PostAsJsonAsync("/_matrix/client/v3/room_keys/version", new { auth_data = new { } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
    }

    [Fact]
    public async Task MalformedRoomIds_AreRefusedWhenStoring_AndMatchNothingWhenReading()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var version = await CreateAsync(a);
        await (await a.PutAsJsonAsync(KeysUrl(version, "not-a-room", "s"), Key(0, false, 0, "x"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.PutAsJsonAsync(KeysUrl(version, "not-a-room"), new { sessions = new Dictionary<string, object> { ["s"] = Key(0, false, 0, "x") } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.PutAsJsonAsync(KeysUrl(version), new
        {
            rooms = new Dictionary<string, object> { ["not-a-room"] = new { sessions = new Dictionary<string, object> { ["s"] = Key(0, false, 0, "x") } } },
        })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");

        Assert.Empty((await (await a.GetAsync(KeysUrl(version, "not-a-room"))).AssertOkAsync()).GetProperty("sessions").EnumerateObject());
        await (await a.GetAsync(KeysUrl(version, "not-a-room", "s"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Equal(0, (await (await a.DeleteAsync(KeysUrl(version, "not-a-room"))).AssertOkAsync()).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Backups_ArePerUser()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var version = await CreateAsync(a);
        await (await b.GetAsync("/_matrix/client/v3/room_keys/version/" + version)).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await b.PutAsJsonAsync(KeysUrl(version, Room, "s"), Key(0, false, 0, "x"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }
}
