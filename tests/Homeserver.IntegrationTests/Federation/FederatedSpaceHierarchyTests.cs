using System.Net;
using System.Net.Http.Json;
using Homeserver.IntegrationTests.Federation.Reads;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Space hierarchies across two servers of ours: a space on A browsed by a user of B through B's client API (B asking
/// A's <c>/hierarchy</c> for the rooms it does not hold), and what A's federation endpoint shows B's server. SQLite only:
/// the storage is the local hierarchy's, tested on both engines there.
/// </summary>
public sealed class FederatedSpaceHierarchyTests(FederatedSpaceHierarchyTests.Pair pair) : IClassFixture<FederatedSpaceHierarchyTests.Pair>
{
    public sealed class Pair : IAsyncLifetime
    {
        private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();
        public TestHomeserver A { get; private set; } = null!;
        public TestHomeserver B { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var servers = await Task.WhenAll(FederationTestServers.StartAsync("sqlite", _ca), FederationTestServers.StartAsync("sqlite", _ca));
            (A, B) = (servers[0], servers[1]);
        }

        public async Task DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
            _ca.Dispose();
        }
    }

    /// <summary>A public space on A (room version 11, so its ID names A) with a public room and a private room in it.</summary>
    private async Task<(HttpClient Alice, string Space, string Open, string Closed)> SpaceOnAAsync()
    {
        var (_, alice) = await pair.A.RegisterClientAsync();
        var space = await alice.CreateRoomAsync(new
        {
            preset = "public_chat", name = "A's space", room_version = "11", creation_content = new Dictionary<string, object> { ["type"] = "m.space" },
        });
        var open = await alice.CreateRoomAsync(new { preset = "public_chat", name = "Open", topic = "all welcome" });
        var closed = await alice.CreateRoomAsync(new { preset = "private_chat", name = "Closed" });
        var via = new { via = new[] { pair.A.Options.ServerName } };
        foreach (var child in new[] { open, closed })
            await (await alice.PutAsJsonAsync($"/_matrix/client/v3/rooms/{space}/state/m.space.child/{Uri.EscapeDataString(child)}", via)).AssertOkAsync();
        return (alice, space, open, closed);
    }

    private static async Task<List<string>> HierarchyIdsAsync(HttpClient c, string roomId)
    {
        var page = await (await c.GetAsync($"/_matrix/client/v1/rooms/{Uri.EscapeDataString(roomId)}/hierarchy")).AssertOkAsync();
        return page.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("room_id").GetString()!).ToList();
    }

    [Fact]
    public async Task AUserOfB_BrowsesASpaceOfA_SeeingWhatTheyCouldJoin()
    {
        var (_, space, open, closed) = await SpaceOnAAsync();
        var (_, bob) = await pair.B.RegisterClientAsync();

        // B holds none of it: the space is asked of the server its ID names, the children come with its answer.
        Assert.Equal([space, open], await HierarchyIdsAsync(bob, space));
        var page = await (await bob.GetAsync($"/_matrix/client/v1/rooms/{Uri.EscapeDataString(space)}/hierarchy")).AssertOkAsync();
        var root = page.GetProperty("rooms")[0];
        Assert.Equal("A's space", root.GetProperty("name").GetString());
        Assert.Equal(new[] { open, closed }.Order(), root.GetProperty("children_state").EnumerateArray().Select(l => l.GetProperty("state_key").GetString()).Order());
        Assert.Equal("all welcome", page.GetProperty("rooms")[1].GetProperty("topic").GetString());

        // Once Bob is in the space, B holds it and asks A for the children it does not hold, through the links' servers.
        await (await bob.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(space)}?via={Uri.EscapeDataString(pair.A.Options.ServerName)}", null)).AssertOkAsync();
        Assert.Equal([space, open], await HierarchyIdsAsync(bob, space));
    }

    [Fact]
    public async Task AsFederationEndpoint_ShowsBsServerOnlyWhatItMaySee()
    {
        var (alice, space, open, closed) = await SpaceOnAAsync();
        var reader = new FederationReader(pair.B, pair.A);

        var answer = await reader.OkAsync($"/hierarchy/{FederationReader.Escape(space)}");
        Assert.Equal(space, answer["room"]!["room_id"]!.GetValue<string>());
        Assert.Equal("m.space", answer["room"]!["room_type"]!.GetValue<string>());
        Assert.Equal(2, answer["room"]!["children_state"]!.AsArray().Count);
        var child = Assert.Single(answer["children"]!.AsArray())!;
        Assert.Equal(open, child["room_id"]!.GetValue<string>());
        Assert.Null(child["children_state"]);
        Assert.Equal([closed], answer["inaccessible_children"]!.AsArray().Select(i => i!.GetValue<string>()));

        // The private room itself is one A does not know, for B; an unknown room likewise.
        await reader.RefusedAsync($"/hierarchy/{FederationReader.Escape(closed)}", HttpStatusCode.NotFound, "M_NOT_FOUND");
        await reader.RefusedAsync($"/hierarchy/{FederationReader.Escape($"!nowhere:{pair.A.Options.ServerName}")}", HttpStatusCode.NotFound, "M_NOT_FOUND");

        // Invited, a user of B makes the private room visible to B's server.
        var (carol, _) = await pair.B.RegisterClientAsync();
        await alice.InviteAsync(closed, carol.UserId);
        var after = await reader.OkAsync($"/hierarchy/{FederationReader.Escape(space)}?suggested_only=false");
        Assert.Equal(new[] { open, closed }.Order(), after["children"]!.AsArray().Select(c => c!["room_id"]!.GetValue<string>()).Order());
        Assert.Empty(after["inaccessible_children"]!.AsArray());
    }
}
