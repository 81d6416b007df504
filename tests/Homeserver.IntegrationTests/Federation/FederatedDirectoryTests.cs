using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Federation's queries and directory between two servers of ours, through the client API: profiles of the other
/// server's users (<c>/query/profile</c>) and its room directory (<c>/publicRooms</c> with <c>server=</c>), both ways,
/// with the filters, paging and errors of the other server's own directory. Storage plays no part: SQLite only.
/// </summary>
public sealed class FederatedDirectoryTests(FederatedDirectoryTests.Pair pair) : IClassFixture<FederatedDirectoryTests.Pair>
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

    [Fact]
    public async Task AProfileOfTheOtherServersUser_IsAskedOfIt_BothWays()
    {
        var (alice, aliceClient) = await pair.A.RegisterClientAsync();
        var (bob, bobClient) = await pair.B.RegisterClientAsync();
        await (await aliceClient.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(alice.UserId)}/displayname", new { displayname = "Alice Å" })).AssertOkAsync();
        await (await aliceClient.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(alice.UserId)}/avatar_url", new { avatar_url = "mxc://a.example/face" })).AssertOkAsync();
        await (await bobClient.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(bob.UserId)}/displayname", new { displayname = "Bob" })).AssertOkAsync();

        var profile = await (await bobClient.GetAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(alice.UserId)}")).AssertOkAsync();
        Assert.Equal("Alice Å", profile.GetProperty("displayname").GetString());
        Assert.Equal("mxc://a.example/face", profile.GetProperty("avatar_url").GetString());
        var avatar = await (await bobClient.GetAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(alice.UserId)}/avatar_url")).AssertOkAsync();
        Assert.Equal("mxc://a.example/face", avatar.GetProperty("avatar_url").GetString());
        Assert.False(avatar.TryGetProperty("displayname", out _), avatar.ToString());

        var back = await (await aliceClient.GetAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(bob.UserId)}/displayname")).AssertOkAsync();
        Assert.Equal("Bob", back.GetProperty("displayname").GetString());
        // A field the other server's user has not set, and a user it does not have, are not found.
        await (await aliceClient.GetAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(bob.UserId)}/avatar_url"))
            .AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await aliceClient.GetAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString($"@nobody:{pair.B.Options.ServerName}")}"))
            .AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        // A server that cannot be reached is the gateway's failure, not a missing profile.
        await (await aliceClient.GetAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString($"@ghost:localhost:{TestPorts.Free()}")}"))
            .AssertErrorAsync(HttpStatusCode.BadGateway, "M_UNKNOWN");
    }

    [Fact]
    public async Task TheOtherServersDirectory_IsListedAsItListsItself_WithFiltersAndPaging()
    {
        var (_, aliceClient) = await pair.A.RegisterClientAsync();
        var (_, bobClient) = await pair.B.RegisterClientAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var cats = await aliceClient.CreateRoomAsync(new { preset = "public_chat", visibility = "public", name = $"cats {tag}", topic = "about cats" });
        var dogs = await aliceClient.CreateRoomAsync(new { preset = "public_chat", visibility = "public", name = $"dogs {tag}" });
        var bobs = await bobClient.CreateRoomAsync(new { preset = "public_chat", visibility = "public", name = $"bob's {tag}" });
        var a = Uri.EscapeDataString(pair.A.Options.ServerName);

        // The same page, token and count as A's own clients get.
        var own = await (await aliceClient.GetAsync("/_matrix/client/v3/publicRooms?limit=1")).AssertOkAsync();
        var remote = await (await bobClient.GetAsync($"/_matrix/client/v3/publicRooms?limit=1&server={a}")).AssertOkAsync();
        Assert.Equal(own.ToString(), remote.ToString());
        Assert.Single(remote.GetProperty("chunk").EnumerateArray());
        var next = remote.GetProperty("next_batch").GetString()!;
        var second = await (await bobClient.GetAsync($"/_matrix/client/v3/publicRooms?limit=1&server={a}&since={Uri.EscapeDataString(next)}")).AssertOkAsync();
        var seen = new[] { remote, second }.Select(p => p.GetProperty("chunk")[0].GetProperty("room_id").GetString()).ToList();
        Assert.Equal(new[] { cats, dogs }.Order(), seen.Order());
        Assert.DoesNotContain(bobs, seen);

        var filtered = await (await bobClient.PostAsJsonAsync($"/_matrix/client/v3/publicRooms?server={a}", new { filter = new { generic_search_term = $"cats {tag}" } })).AssertOkAsync();
        var only = Assert.Single(filtered.GetProperty("chunk").EnumerateArray());
        Assert.Equal(cats, only.GetProperty("room_id").GetString());
        Assert.Equal("about cats", only.GetProperty("topic").GetString());

        var back = await (await aliceClient.PostAsJsonAsync($"/_matrix/client/v3/publicRooms?server={Uri.EscapeDataString(pair.B.Options.ServerName)}", new { limit = 10 })).AssertOkAsync();
        Assert.Contains(bobs, back.GetProperty("chunk").EnumerateArray().Select(r => r.GetProperty("room_id").GetString()));
        Assert.DoesNotContain(cats, back.GetProperty("chunk").EnumerateArray().Select(r => r.GetProperty("room_id").GetString()));
    }

    [Fact]
    public async Task AskingTheOtherServersDirectory_RefusesBadInput_WithItsErrors()
    {
        var (_, bobClient) = await pair.B.RegisterClientAsync();
        var a = Uri.EscapeDataString(pair.A.Options.ServerName);
        // Bad input is refused by the other server and its error handed on.
        await (await bobClient.PostAsJsonAsync($"/_matrix/client/v3/publicRooms?server={a}", new { limit = -1, filter = new { } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await bobClient.GetAsync($"/_matrix/client/v3/publicRooms?server={a}&include_all_networks=maybe"))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await bobClient.GetAsync($"/_matrix/client/v3/publicRooms?server={a}&third_party_instance_id=nobar"))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        // Not a server name; a server that is down; nobody signed in to ask another server through us.
        await (await bobClient.GetAsync("/_matrix/client/v3/publicRooms?server=" + Uri.EscapeDataString("bad server/")))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await bobClient.GetAsync($"/_matrix/client/v3/publicRooms?server=localhost:{TestPorts.Free()}"))
            .AssertErrorAsync(HttpStatusCode.BadGateway, "M_UNKNOWN");
        await (await pair.B.Client.GetAsync($"/_matrix/client/v3/publicRooms?server={a}"))
            .AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        await (await pair.B.Client.GetAsync("/_matrix/client/v3/publicRooms")).AssertOkAsync();
    }
}
