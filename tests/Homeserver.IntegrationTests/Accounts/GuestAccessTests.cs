using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts;

/// <summary>Servers that hand out guest accounts (<c>registration.allow_guest_access</c>).</summary>
public sealed class GuestServersFixture : HomeserverFixture
{
    protected override void Configure(HomeserverOptions options) => options.Registration.AllowGuestAccess = true;
}

/// <summary>
/// The spec's guest access module: guest registration, the endpoints a guest may and may not call, joining only
/// rooms whose <c>m.room.guest_access</c> is <c>can_join</c> (whichever endpoint carries the join), removal when a
/// room stops allowing guests, and upgrading a guest to a full account.
/// </summary>
public sealed class GuestAccessTests(GuestServersFixture fixture) : IClassFixture<GuestServersFixture>
{
    private sealed record Guest(string UserId, string AccessToken, HttpClient Client)
    {
        public string Localpart => UserId[1..UserId.IndexOf(':')];
    }

    private static async Task<Guest> RegisterGuestAsync(TestHomeserver hs)
    {
        var body = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register?kind=guest", new { })).AssertOkAsync();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("device_id").GetString()));
        var token = body.GetProperty("access_token").GetString()!;
        return new Guest(body.GetProperty("user_id").GetString()!, token, hs.NewClient(token));
    }

    private static Task<HttpResponseMessage> AllowGuestsAsync(HttpClient c, string roomId, string value) =>
        c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.guest_access", new { guest_access = value });

    private static async Task<string?> MembershipAsync(HttpClient c, string roomId, string userId)
    {
        var res = await c.GetRoomAsync(roomId, "state/m.room.member/" + Uri.EscapeDataString(userId));
        return res.IsSuccessStatusCode ? (await res.AssertOkAsync()).GetProperty("membership").GetString() : null;
    }

    [Fact]
    public async Task GuestRegistration_IsOffUnlessTheConfigAllowsIt()
    {
        await using var closed = await TestHomeserver.StartAsync("sqlite");
        await (await closed.Client.PostAsJsonAsync("/_matrix/client/v3/register?kind=guest", new { }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_GUEST_ACCESS_FORBIDDEN");
        await (await closed.Client.PostAsJsonAsync("/_matrix/client/v3/register?kind=robot", new { }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Guest_GetsATokenThatSaysGuest_AndHasNoPasswordToLogInWith(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var guest = await RegisterGuestAsync(hs);

        var whoami = await (await guest.Client.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        Assert.Equal(guest.UserId, whoami.GetProperty("user_id").GetString());
        Assert.True(whoami.GetProperty("is_guest").GetBoolean());
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.user", user = guest.Localpart }, password = "",
        })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        using var member = hs.ClientFor(await hs.RegisterAsync());
        Assert.False((await (await member.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync()).GetProperty("is_guest").GetBoolean());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Guest_IsRefusedWhatTheModuleDoesNotList_AndServedWhatItDoes(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var guest = await RegisterGuestAsync(hs);
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await b.CreateRoomAsync(new { preset = "public_chat" });
        await (await AllowGuestsAsync(b, roomId, "can_join")).AssertOkAsync();
        await guest.Client.JoinAsync(roomId);
        var messageId = await b.SendTextAsync(roomId, "hello guests");
        var room = Uri.EscapeDataString(roomId);

        HttpRequestMessage[] refused =
        [
            new(HttpMethod.Post, "/_matrix/client/v3/createRoom") { Content = JsonContent.Create(new { }) },
            new(HttpMethod.Put, $"/_matrix/client/v3/rooms/{room}/typing/{Uri.EscapeDataString(guest.UserId)}") { Content = JsonContent.Create(new { typing = true, timeout = 1000 }) },
            new(HttpMethod.Post, $"/_matrix/client/v3/rooms/{room}/receipt/m.read/{Uri.EscapeDataString(messageId)}") { Content = JsonContent.Create(new { }) },
            new(HttpMethod.Put, $"/_matrix/client/v3/user/{Uri.EscapeDataString(guest.UserId)}/account_data/m.test") { Content = JsonContent.Create(new { }) },
            new(HttpMethod.Post, $"/_matrix/client/v3/user/{Uri.EscapeDataString(guest.UserId)}/filter") { Content = JsonContent.Create(new { }) },
            new(HttpMethod.Post, $"/_matrix/client/v3/rooms/{room}/invite") { Content = JsonContent.Create(new { user_id = bob.UserId }) },
            new(HttpMethod.Post, $"/_matrix/client/v3/rooms/{room}/kick") { Content = JsonContent.Create(new { user_id = bob.UserId }) },
            new(HttpMethod.Put, $"/_matrix/client/v3/rooms/{room}/redact/{Uri.EscapeDataString(messageId)}/t1") { Content = JsonContent.Create(new { }) },
            new(HttpMethod.Get, $"/_matrix/client/v3/rooms/{room}/joined_members"),
            new(HttpMethod.Post, "/_matrix/client/v3/delete_devices") { Content = JsonContent.Create(new { devices = Array.Empty<string>() }) },
            new(HttpMethod.Post, "/_matrix/client/v3/keys/device_signing/upload") { Content = JsonContent.Create(new { }) },
            new(HttpMethod.Put, $"/_matrix/client/v3/profile/{Uri.EscapeDataString(guest.UserId)}/avatar_url") { Content = JsonContent.Create(new { avatar_url = "mxc://x/y" }) },
            new(HttpMethod.Get, "/_matrix/client/v3/events?timeout=0"),
            new(HttpMethod.Post, "/_matrix/client/v3/account/deactivate") { Content = JsonContent.Create(new { }) },
            new(HttpMethod.Get, "/_matrix/client/v3/pushrules/"),
        ];
        foreach (var request in refused)
        {
            var res = await guest.Client.SendAsync(request);
            Assert.True(res.StatusCode == HttpStatusCode.Forbidden, $"{request.Method} {request.RequestUri}: {(int)res.StatusCode} {await res.Content.ReadAsStringAsync()}");
            await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_GUEST_ACCESS_FORBIDDEN");
        }

        var sync = await (await guest.Client.GetAsync("/_matrix/client/v3/sync")).AssertOkAsync();
        Assert.True(sync.GetProperty("rooms").GetProperty("join").TryGetProperty(roomId, out _));
        Assert.Contains("hello guests", (await guest.Client.MessagesAsync(roomId)).Bodies());
        await (await guest.Client.GetRoomAsync(roomId, "state")).AssertOkAsync();
        await (await guest.Client.GetRoomAsync(roomId, "members")).AssertOkAsync();
        await (await guest.Client.GetRoomAsync(roomId, "event/" + Uri.EscapeDataString(messageId))).AssertOkAsync();
        await (await guest.Client.GetRoomAsync(roomId, "context/" + Uri.EscapeDataString(messageId))).AssertOkAsync();
        await (await guest.Client.GetAsync($"/_matrix/client/v3/events?timeout=0&room_id={room}")).AssertOkAsync();
        await (await guest.Client.GetAsync("/_matrix/client/v3/devices")).AssertOkAsync();
        await (await guest.Client.PostAsJsonAsync("/_matrix/client/v3/keys/query", new { device_keys = new Dictionary<string, string[]> { [bob.UserId] = [] } })).AssertOkAsync();
        await (await guest.Client.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(guest.UserId)}/displayname", new { displayname = "Visitor" })).AssertOkAsync();
        Assert.Contains(roomId, (await (await guest.Client.GetAsync("/_matrix/client/v3/joined_rooms")).AssertOkAsync()).GetProperty("joined_rooms").EnumerateArray().Select(r => r.GetString()));
        // Guests send any event type (spec v1.2), so a message reaches the room like anyone's.
        await guest.Client.SendTextAsync(roomId, "hello from a guest");
        Assert.Contains("hello from a guest", (await b.MessagesAsync(roomId)).Bodies());
        await guest.Client.LeaveAsync(roomId);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Guest_JoinsOnlyRoomsThatAllowGuests_ByWhicheverEndpoint(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var guest = await RegisterGuestAsync(hs);
        var (_, b) = await hs.RegisterClientAsync();
        var roomId = await b.CreateRoomAsync(new { preset = "public_chat", room_alias_name = "guests" + Guid.NewGuid().ToString("N")[..8] });
        var alias = (await (await b.GetRoomAsync(roomId, "state/m.room.canonical_alias")).AssertOkAsync()).GetProperty("alias").GetString()!;
        var memberPath = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.member/{Uri.EscapeDataString(guest.UserId)}";

        await (await guest.Client.PostRoomAsync(roomId, "join", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await guest.Client.PostAsJsonAsync("/_matrix/client/v3/join/" + Uri.EscapeDataString(alias), new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await guest.Client.PutAsJsonAsync(memberPath, new { membership = "join" })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await AllowGuestsAsync(b, roomId, "forbidden")).AssertOkAsync();
        await (await guest.Client.PostRoomAsync(roomId, "join", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.Null(await MembershipAsync(b, roomId, guest.UserId));

        await (await AllowGuestsAsync(b, roomId, "can_join")).AssertOkAsync();
        await (await guest.Client.PostAsJsonAsync("/_matrix/client/v3/join/" + Uri.EscapeDataString(alias), new { })).AssertOkAsync();
        Assert.Equal("join", await MembershipAsync(b, roomId, guest.UserId));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RevokingGuestAccess_MakesTheGuestsLeave_AndOnlyThem(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var guest = await RegisterGuestAsync(hs);
        var otherGuest = await RegisterGuestAsync(hs);
        var (_, b) = await hs.RegisterClientAsync();
        var (carol, c) = await hs.RegisterClientAsync();
        var roomId = await b.CreateRoomAsync(new { preset = "public_chat" });
        await (await AllowGuestsAsync(b, roomId, "can_join")).AssertOkAsync();
        await guest.Client.JoinAsync(roomId);
        await otherGuest.Client.JoinAsync(roomId);
        await c.JoinAsync(roomId);

        await (await AllowGuestsAsync(b, roomId, "forbidden")).AssertOkAsync();

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await MembershipAsync(b, roomId, guest.UserId) != "leave" || await MembershipAsync(b, roomId, otherGuest.UserId) != "leave")
               && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal("leave", await MembershipAsync(b, roomId, guest.UserId));
        Assert.Equal("leave", await MembershipAsync(b, roomId, otherGuest.UserId));
        Assert.Equal("join", await MembershipAsync(b, roomId, carol.UserId));
        // Each guest left by its own event, which needs no power in the room.
        var leave = (await b.MessagesAsync(roomId)).First(e => e.GetProperty("type").GetString() == "m.room.member"
            && e.GetProperty("state_key").GetString() == guest.UserId);
        Assert.Equal(guest.UserId, leave.GetProperty("sender").GetString());
        await (await guest.Client.PostRoomAsync(roomId, "join", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    private static async Task<HttpResponseMessage> RegisterWithDummyStageAsync(TestHomeserver hs, object body)
    {
        var challenge = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", body);
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        var session = (await challenge.JsonAsync()).GetProperty("session").GetString();
        var withAuth = JsonSerializer.SerializeToNode(body)!.AsObject();
        withAuth["auth"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "m.login.dummy", ["session"] = session };
        return await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", withAuth);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Guest_UpgradesToAFullAccount_KeepingItsUserIdAndRooms(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var guest = await RegisterGuestAsync(hs);
        var (_, b) = await hs.RegisterClientAsync();
        var roomId = await b.CreateRoomAsync(new { preset = "public_chat" });
        await (await AllowGuestsAsync(b, roomId, "can_join")).AssertOkAsync();
        await guest.Client.JoinAsync(roomId);

        var body = await (await RegisterWithDummyStageAsync(hs, new { username = guest.Localpart, password = "a good long password", guest_access_token = guest.AccessToken }))
            .AssertOkAsync();
        Assert.Equal(guest.UserId, body.GetProperty("user_id").GetString());
        using var full = hs.NewClient(body.GetProperty("access_token").GetString());
        Assert.False((await (await full.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync()).GetProperty("is_guest").GetBoolean());
        await full.CreateRoomAsync();
        Assert.Contains(roomId, (await (await full.GetAsync("/_matrix/client/v3/joined_rooms")).AssertOkAsync()).GetProperty("joined_rooms").EnumerateArray().Select(r => r.GetString()));
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.user", user = guest.Localpart }, password = "a good long password",
        })).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GuestAccessToken_UpgradesOnlyItsOwnGuestAccount(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var victim = await RegisterGuestAsync(hs);
        var attacker = await RegisterGuestAsync(hs);
        var member = await hs.RegisterAsync();

        // Another guest's token, a full account's own token and a forged token name a taken user ID, nothing more.
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = victim.Localpart, password = "taken over", guest_access_token = attacker.AccessToken }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = member.Localpart, password = "taken over", guest_access_token = member.AccessToken }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = victim.Localpart, password = "taken over", guest_access_token = victim.AccessToken + "x" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");

        Assert.True((await (await victim.Client.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync()).GetProperty("is_guest").GetBoolean());
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.user", user = member.Localpart }, password = "taken over",
        })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        using var stillMember = hs.ClientFor(await hs.LoginAsync(member));
        await (await stillMember.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
    }
}
