using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.AppServices;

/// <summary>
/// A bridge's own room lists (<c>/directory/list/appservice/{networkId}/{roomId}</c>) and <c>/publicRooms</c> per
/// network: a network's rooms stay out of the server's directory unless <c>include_all_networks</c>, appear under
/// their <c>third_party_instance_id</c> only, and only the service itself edits its lists.
/// </summary>
public sealed class AppServiceRoomListTests(AppServiceFixture fixture) : IClassFixture<AppServiceFixture>
{
    private const string PublicRoomsPath = "/_matrix/client/v3/publicRooms";

    private static string ListPath(string networkId, string roomId) =>
        $"/_matrix/client/v3/directory/list/appservice/{Uri.EscapeDataString(networkId)}/{Uri.EscapeDataString(roomId)}";

    private static async Task<List<string>> ListedAsync(HttpClient c, object body) =>
        (await (await c.PostAsJsonAsync(PublicRoomsPath, body)).AssertOkAsync())
            .GetProperty("chunk").EnumerateArray().Select(r => r.GetProperty("room_id").GetString()!).ToList();

    private static async Task<List<string>> ListedByGetAsync(HttpClient c, string query) =>
        (await (await c.GetAsync($"{PublicRoomsPath}?limit=500&{query}")).AssertOkAsync())
            .GetProperty("chunk").EnumerateArray().Select(r => r.GetProperty("room_id").GetString()!).ToList();

    private static Task<string> PublicRoomAsync(HttpClient owner) =>
        owner.CreateRoomAsync(new { preset = "public_chat", name = "Portal " + Guid.NewGuid().ToString("N")[..8] });

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ANetworksRoom_IsListedUnderItsInstanceOnly_UntilTheBridgeUnpublishesIt(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var bridge = hs.NewClient(AppServiceFixture.BridgeAsToken);
        var (_, user) = await hs.RegisterClientAsync();
        var roomId = await PublicRoomAsync(user);

        await (await bridge.PutAsJsonAsync(ListPath("irc", roomId), new { visibility = "public" })).AssertOkAsync();

        Assert.DoesNotContain(roomId, await ListedAsync(user, new { limit = 500 }));
        Assert.DoesNotContain(roomId, await ListedByGetAsync(hs.Client, ""));
        Assert.Contains(roomId, await ListedAsync(user, new { third_party_instance_id = "bridge|irc" }));
        Assert.Contains(roomId, await ListedAsync(user, new { include_all_networks = true, limit = 500 }));
        Assert.Contains(roomId, await ListedByGetAsync(hs.Client, "third_party_instance_id=bridge%7Circ"));
        Assert.Contains(roomId, await ListedByGetAsync(hs.Client, "include_all_networks=true"));
        // Another network of the same service, or the same network name of another service, is another list.
        Assert.DoesNotContain(roomId, await ListedAsync(user, new { third_party_instance_id = "bridge|slack" }));
        Assert.DoesNotContain(roomId, await ListedAsync(user, new { third_party_instance_id = "bot|irc" }));
        // The server's directory visibility is separate from the network's list.
        var visibility = await (await hs.Client.GetAsync("/_matrix/client/v3/directory/list/room/" + Uri.EscapeDataString(roomId))).AssertOkAsync();
        Assert.Equal("private", visibility.GetProperty("visibility").GetString());

        await (await bridge.PutAsJsonAsync(ListPath("irc", roomId), new { visibility = "private" })).AssertOkAsync();
        Assert.DoesNotContain(roomId, await ListedAsync(user, new { third_party_instance_id = "bridge|irc" }));
        Assert.DoesNotContain(roomId, await ListedAsync(user, new { include_all_networks = true, limit = 500 }));

        await (await bridge.PutAsJsonAsync(ListPath("irc", roomId), new { visibility = "public" })).AssertOkAsync();
        Assert.Contains(roomId, await ListedAsync(user, new { third_party_instance_id = "bridge|irc" }));
        await (await bridge.DeleteAsync(ListPath("irc", roomId))).AssertOkAsync();
        Assert.DoesNotContain(roomId, await ListedAsync(user, new { third_party_instance_id = "bridge|irc" }));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ARoomInBothLists_StaysInTheDirectory_WhenTheNetworkDropsIt(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var bridge = hs.NewClient(AppServiceFixture.BridgeAsToken);
        var (_, user) = await hs.RegisterClientAsync();
        var roomId = await PublicRoomAsync(user);
        await (await bridge.PutAsJsonAsync(ListPath("irc", roomId), new { visibility = "public" })).AssertOkAsync();
        await (await user.PutAsJsonAsync("/_matrix/client/v3/directory/list/room/" + Uri.EscapeDataString(roomId), new { visibility = "public" })).AssertOkAsync();

        var all = await ListedAsync(user, new { include_all_networks = true, limit = 500 });
        Assert.Single(all, r => r == roomId);
        await (await bridge.DeleteAsync(ListPath("irc", roomId))).AssertOkAsync();
        Assert.Contains(roomId, await ListedAsync(user, new { limit = 500 }));
        Assert.DoesNotContain(roomId, await ListedAsync(user, new { third_party_instance_id = "bridge|irc" }));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ARoomNobodyCouldEnter_IsNotAdvertisedInTheNetworksList(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var bridge = hs.NewClient(AppServiceFixture.BridgeAsToken);
        var (_, user) = await hs.RegisterClientAsync();
        var roomId = await user.CreateRoomAsync(new { preset = "private_chat" });

        await (await bridge.PutAsJsonAsync(ListPath("irc", roomId), new { visibility = "public" })).AssertOkAsync();
        Assert.DoesNotContain(roomId, await ListedAsync(user, new { third_party_instance_id = "bridge|irc" }));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OnlyTheServiceEditsItsLists_AndHostileInputIsRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var bridge = hs.NewClient(AppServiceFixture.BridgeAsToken);
        using var bot = hs.NewClient(AppServiceFixture.BotAsToken);
        var (_, user) = await hs.RegisterClientAsync();
        var roomId = await PublicRoomAsync(user);

        // A user, even the room's creator, cannot put a room into a bridge's network.
        await (await user.PutAsJsonAsync(ListPath("irc", roomId), new { visibility = "public" })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await user.DeleteAsync(ListPath("irc", roomId))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await hs.Client.PutAsJsonAsync(ListPath("irc", roomId), new { visibility = "public" })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        await (await hs.NewClient(AppServiceFixture.BridgeHsToken).PutAsJsonAsync(ListPath("irc", roomId), new { visibility = "public" }))
            .AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        Assert.DoesNotContain(roomId, await ListedAsync(user, new { include_all_networks = true, limit = 500 }));

        // A service's lists are its own: the bot publishing in "irc" adds nothing to the bridge's "irc".
        await (await bot.PutAsJsonAsync(ListPath("irc", roomId), new { visibility = "public" })).AssertOkAsync();
        Assert.Contains(roomId, await ListedAsync(user, new { third_party_instance_id = "bot|irc" }));
        Assert.DoesNotContain(roomId, await ListedAsync(user, new { third_party_instance_id = "bridge|irc" }));

        await (await bridge.PutAsJsonAsync(ListPath("irc", roomId), new { visibility = "hidden" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await bridge.PutAsJsonAsync(ListPath("irc", "!nosuchroom:test.local"), new { visibility = "public" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await bridge.PutAsJsonAsync(ListPath("irc", "not-a-room"), new { visibility = "public" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await user.PostAsJsonAsync(PublicRoomsPath, new { third_party_instance_id = "bridge" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await user.PostAsJsonAsync(PublicRoomsPath, new { third_party_instance_id = "bridge|irc", include_all_networks = true }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await hs.Client.GetAsync($"{PublicRoomsPath}?include_all_networks=maybe")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }
}
