using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.AppServices;

/// <summary>
/// An application service as a client (spec "Client-Server API Extensions"): its <c>as_token</c> acts as its sender or
/// as any registered user of its namespaces, never beyond them; it registers and logs in its users without passwords;
/// exclusive namespaces are its alone; and a service registered without rate limits is not limited.
/// </summary>
public sealed class AppServiceClientTests(AppServiceFixture fixture) : IClassFixture<AppServiceFixture>
{
    private static string NewLocalpart(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private static HttpClient As(TestHomeserver hs, string token = AppServiceFixture.BridgeAsToken) => hs.NewClient(token);

    private static async Task<string> RegisterBridgeUserAsync(TestHomeserver hs, string localpart) =>
        (await (await As(hs).PostAsJsonAsync("/_matrix/client/v3/register",
            new { type = "m.login.application_service", username = localpart, inhibit_login = true })).AssertOkAsync())
            .GetProperty("user_id").GetString()!;

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheAsToken_ActsAsTheSender_OrAsARegisteredUserOfItsNamespace_AndNoOneElse(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var bridge = As(hs);

        var sender = await (await bridge.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        Assert.Equal(AppServiceFixture.BridgeSender, sender.GetProperty("user_id").GetString());
        Assert.False(sender.TryGetProperty("device_id", out _));

        var alice = await RegisterBridgeUserAsync(hs, NewLocalpart("_bridge_alice"));
        var asAlice = await (await bridge.GetAsync($"/_matrix/client/v3/account/whoami?user_id={Uri.EscapeDataString(alice)}")).AssertOkAsync();
        Assert.Equal(alice, asAlice.GetProperty("user_id").GetString());
        // The legacy query parameter carries the token as well as the header does.
        var byQuery = await (await hs.NewClient().GetAsync($"/_matrix/client/v3/account/whoami?access_token={AppServiceFixture.BridgeAsToken}&user_id={Uri.EscapeDataString(alice)}")).AssertOkAsync();
        Assert.Equal(alice, byQuery.GetProperty("user_id").GetString());

        var (outsider, _) = await hs.RegisterClientAsync();
        await (await bridge.GetAsync($"/_matrix/client/v3/account/whoami?user_id={Uri.EscapeDataString(outsider.UserId)}"))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var unregistered = $"@{NewLocalpart("_bridge_ghost")}:{TestHomeserver.ServerName}";
        await (await bridge.GetAsync($"/_matrix/client/v3/account/whoami?user_id={Uri.EscapeDataString(unregistered)}"))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // The other service's token does not reach the bridge's users.
        await (await As(hs, AppServiceFixture.BotAsToken).GetAsync($"/_matrix/client/v3/account/whoami?user_id={Uri.EscapeDataString(alice)}"))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // The hs_token authenticates the homeserver to the service, never a client to the homeserver.
        await (await As(hs, AppServiceFixture.BridgeHsToken).GetAsync("/_matrix/client/v3/account/whoami"))
            .AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AnExclusiveNamespace_IsTheServicesAlone_AndTheServiceStaysInsideIt(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var reserved = NewLocalpart("_bridge_bob");

        var byClient = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = reserved, password = TestHomeserver.DefaultPassword });
        await byClient.AssertErrorAsync(HttpStatusCode.BadRequest, "M_EXCLUSIVE");
        await (await hs.Client.GetAsync($"/_matrix/client/v3/register/available?username={reserved}")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_EXCLUSIVE");

        await (await As(hs).PostAsJsonAsync("/_matrix/client/v3/register",
            new { type = "m.login.application_service", username = NewLocalpart("carol"), inhibit_login = true }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_EXCLUSIVE");

        // A shared namespace is open to clients, and to its service too.
        await hs.RegisterAsync(NewLocalpart("bot_shared"));
        var botUser = await (await As(hs, AppServiceFixture.BotAsToken).PostAsJsonAsync("/_matrix/client/v3/register",
            new { type = "m.login.application_service", username = NewLocalpart("bot_own"), inhibit_login = true })).AssertOkAsync();
        Assert.StartsWith("@bot_own", botUser.GetProperty("user_id").GetString());

        Assert.Equal($"@{reserved}:{TestHomeserver.ServerName}", await RegisterBridgeUserAsync(hs, reserved));
        await (await As(hs).PostAsJsonAsync("/_matrix/client/v3/register",
            new { type = "m.login.application_service", username = reserved, inhibit_login = true }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ApplicationServiceRegistration_WithoutTheServicesToken_IsUnauthorised(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var body = new { type = "m.login.application_service", username = NewLocalpart("_bridge_x"), inhibit_login = true };

        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", body)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        var (_, user) = await hs.RegisterClientAsync();
        await (await user.PostAsJsonAsync("/_matrix/client/v3/register", body)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        await (await hs.NewClient("not-a-token").PostAsJsonAsync("/_matrix/client/v3/register", body)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        await (await hs.Client.GetAsync($"/_matrix/client/v3/register/available?username={body.username}")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_EXCLUSIVE");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheService_SendsAsItsUsers_AndARetriedTransactionIsOneEvent(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var alice = await RegisterBridgeUserAsync(hs, NewLocalpart("_bridge_alice"));
        var asAlice = $"user_id={Uri.EscapeDataString(alice)}";
        var bridge = As(hs);
        var roomId = (await (await bridge.PostAsJsonAsync($"/_matrix/client/v3/createRoom?{asAlice}", new { preset = "public_chat" })).AssertOkAsync())
            .GetProperty("room_id").GetString()!;
        var (_, reader) = await hs.RegisterClientAsync();
        await reader.JoinAsync(roomId);

        var path = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/txn1?{asAlice}";
        var first = (await (await bridge.PutAsJsonAsync(path, new { msgtype = "m.text", body = "from the bridge" })).AssertOkAsync()).GetProperty("event_id").GetString();
        var again = (await (await bridge.PutAsJsonAsync(path, new { msgtype = "m.text", body = "from the bridge" })).AssertOkAsync()).GetProperty("event_id").GetString();
        Assert.Equal(first, again);

        var messages = (await reader.MessagesAsync(roomId)).Where(e => e.GetProperty("type").GetString() == "m.room.message").ToList();
        var only = Assert.Single(messages);
        Assert.Equal(alice, only.GetProperty("sender").GetString());
        Assert.Equal(first, only.GetProperty("event_id").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ExclusiveAliases_AreTheServicesAlone_AndItMayNotClaimOthers(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, owner) = await hs.RegisterClientAsync();
        var roomId = await owner.CreateRoomAsync(new { preset = "public_chat" });
        string AliasPath(string alias) => "/_matrix/client/v3/directory/room/" + Uri.EscapeDataString(alias);
        var reserved = $"#{NewLocalpart("_bridge_room")}:{TestHomeserver.ServerName}";

        await (await owner.PutAsJsonAsync(AliasPath(reserved), new { room_id = roomId })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_EXCLUSIVE");
        await (await owner.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { room_alias_name = reserved[1..reserved.IndexOf(':')] }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_EXCLUSIVE");
        await (await owner.GetAsync(AliasPath(reserved))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        var bridge = As(hs);
        var portal = (await (await bridge.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { preset = "public_chat", room_alias_name = reserved[1..reserved.IndexOf(':')] }))
            .AssertOkAsync()).GetProperty("room_id").GetString();
        Assert.Equal(portal, (await (await owner.GetAsync(AliasPath(reserved))).AssertOkAsync()).GetProperty("room_id").GetString());
        var outside = $"#{NewLocalpart("plain")}:{TestHomeserver.ServerName}";
        await (await bridge.PutAsJsonAsync(AliasPath(outside), new { room_id = portal })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_EXCLUSIVE");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheService_PointsAnAliasOfItsNamespaceAtARoomItIsNotIn_AUserStillMustBeJoined(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, owner) = await hs.RegisterClientAsync();
        var (_, stranger) = await hs.RegisterClientAsync();
        var roomId = await owner.CreateRoomAsync(new { preset = "public_chat" });
        string AliasPath(string alias) => "/_matrix/client/v3/directory/room/" + Uri.EscapeDataString(alias);

        var plain = $"#{NewLocalpart("plain")}:{TestHomeserver.ServerName}";
        await (await stranger.PutAsJsonAsync(AliasPath(plain), new { room_id = roomId })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        var portal = $"#{NewLocalpart("_bridge_portal")}:{TestHomeserver.ServerName}";
        await (await As(hs).PutAsJsonAsync(AliasPath(portal), new { room_id = roomId })).AssertOkAsync();
        Assert.Equal(roomId, (await (await stranger.GetAsync(AliasPath(portal))).AssertOkAsync()).GetProperty("room_id").GetString());
        var nowhere = $"#{NewLocalpart("_bridge_nowhere")}:{TestHomeserver.ServerName}";
        await (await As(hs).PutAsJsonAsync(AliasPath(nowhere), new { room_id = $"!nosuchroom:{TestHomeserver.ServerName}" }))
            .AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        // Membership is not what lets the service through: outside its namespace it is still refused.
        await (await As(hs).PutAsJsonAsync(AliasPath(plain), new { room_id = roomId })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_EXCLUSIVE");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheService_DeactivatesItsUserWithoutAPassword_AUserStillConfirms(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var localpart = NewLocalpart("_bridge_gone");
        var ghost = await RegisterBridgeUserAsync(hs, localpart);
        var (_, user) = await hs.RegisterClientAsync();

        // Without the service's token the interactive confirmation is still asked for.
        await SessionAssertions.AssertPasswordChallengeAsync(await user.PostAsJsonAsync("/_matrix/client/v3/account/deactivate", new { }));

        await (await As(hs).PostAsJsonAsync($"/_matrix/client/v3/account/deactivate?user_id={Uri.EscapeDataString(ghost)}", new { })).AssertOkAsync();
        await (await As(hs).PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.application_service",
            identifier = new { type = "m.id.user", user = localpart },
        })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_USER_DEACTIVATED");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ADevice_IsOneTheUserHas_AndWithoutOneDeviceOperationsAreRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var localpart = NewLocalpart("_bridge_dev");
        var login = await (await As(hs).PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.application_service",
            identifier = new { type = "m.id.user", user = localpart },
        })).AssertOkAsync();
        var user = login.GetProperty("user_id").GetString()!;
        var device = login.GetProperty("device_id").GetString()!;
        var asUser = $"user_id={Uri.EscapeDataString(user)}";

        var withDevice = await (await As(hs).GetAsync($"/_matrix/client/v3/account/whoami?{asUser}&device_id={device}")).AssertOkAsync();
        Assert.Equal(device, withDevice.GetProperty("device_id").GetString());
        await (await As(hs).GetAsync($"/_matrix/client/v3/account/whoami?{asUser}&device_id=NOTMINE")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN_DEVICE");
        await (await As(hs).PostAsJsonAsync($"/_matrix/client/v3/keys/upload?{asUser}", new { one_time_keys = new Dictionary<string, object>() }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await As(hs).PostAsJsonAsync($"/_matrix/client/v3/keys/upload?{asUser}&device_id={device}", new { one_time_keys = new Dictionary<string, object>() }))
            .AssertOkAsync();

        await (await As(hs).PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.application_service",
            identifier = new { type = "m.id.user", user = NewLocalpart("outsider") },
        })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_EXCLUSIVE");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AServiceRegisteredWithoutRateLimits_IsNotLimited_WhereAClientIs(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, client) = await hs.RegisterClientAsync();
        var clientRoom = await client.CreateRoomAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
            statuses.Add((await client.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(clientRoom)}/send/m.room.message/c{i}", new { msgtype = "m.text", body = "x" })).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);

        var bridge = As(hs);
        var bridgeRoom = (await (await bridge.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { })).AssertOkAsync()).GetProperty("room_id").GetString()!;
        for (var i = 0; i < 12; i++)
            await (await bridge.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(bridgeRoom)}/send/m.room.message/b{i}-{Guid.NewGuid():N}", new { msgtype = "m.text", body = "x" })).AssertOkAsync();

        // The bot keeps the default (limited), like any client.
        var bot = As(hs, AppServiceFixture.BotAsToken);
        var botRoom = (await (await bot.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { })).AssertOkAsync()).GetProperty("room_id").GetString()!;
        var botStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
            botStatuses.Add((await bot.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(botRoom)}/send/m.room.message/t{i}", new { msgtype = "m.text", body = "x" })).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, botStatuses);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheServicesTs_SetsTheTimestampOfWhatItSends_AndAClientsIsIgnored(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var puppet = Uri.EscapeDataString(await RegisterBridgeUserAsync(hs, NewLocalpart("_bridge_ts")));
        var bridge = As(hs);
        var roomId = Uri.EscapeDataString(await bridge.CreateRoomAsync(new { preset = "public_chat" }));
        await (await bridge.PostAsJsonAsync($"/_matrix/client/v3/join/{roomId}?user_id={puppet}", new { })).AssertOkAsync();

        async Task<long> TsOfAsync(HttpClient c, string path)
        {
            var id = (await (await c.PutAsJsonAsync(path, new { msgtype = "m.text", body = "imported" })).AssertOkAsync()).GetProperty("event_id").GetString()!;
            return (await (await bridge.GetAsync($"/_matrix/client/v3/rooms/{roomId}/event/{Uri.EscapeDataString(id)}")).AssertOkAsync())
                .GetProperty("origin_server_ts").GetInt64();
        }

        Assert.Equal(1_500_000_000_000, await TsOfAsync(bridge, $"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/ts1?user_id={puppet}&ts=1500000000000"));
        Assert.Equal(1_500_000_000_001, await TsOfAsync(bridge, $"/_matrix/client/v3/rooms/{roomId}/state/m.room.topic/?ts=1500000000001"));
        await (await bridge.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/ts2?ts=yesterday", new { body = "x" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");

        var (_, client) = await hs.RegisterClientAsync();
        await client.JoinAsync(Uri.UnescapeDataString(roomId));
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        Assert.True(await TsOfAsync(client, $"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/ts3?ts=1500000000000") > before);
    }
}
