using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// A room upgraded on another server: when a user of ours joins the replacement, this server carries over what it
/// holds of the old room, as the upgrading server does for its own users (and as Synapse does): its aliases, its
/// listing in this server's public directory, and its members' tags.
/// </summary>
public sealed class FederatedRoomUpgradeTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task JoiningTheReplacementOfARoomUpgradedElsewhere_MovesOurAliasListingAndTags(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var oldRoom = await aliceClient.CreateRoomAsync(new
        {
            preset = "public_chat", room_version = "10",
            power_level_content_override = new { users = new Dictionary<string, int> { [alice.UserId] = 100, [bob.UserId] = 100 } },
        });
        var via = "?via=" + Uri.EscapeDataString(a.Options.ServerName);
        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(oldRoom)}{via}", null)).AssertOkAsync();
        var alias = $"#up{Guid.NewGuid().ToString("N")[..8]}:{b.Options.ServerName}";
        await (await bobClient.PutAsJsonAsync($"/_matrix/client/v3/directory/room/{Uri.EscapeDataString(alias)}", new { room_id = oldRoom })).AssertOkAsync();
        await (await bobClient.PutAsJsonAsync($"/_matrix/client/v3/directory/list/room/{Uri.EscapeDataString(oldRoom)}", new { visibility = "public" })).AssertOkAsync();
        string Tags(string roomId) => $"/_matrix/client/v3/user/{Uri.EscapeDataString(bob.UserId)}/rooms/{Uri.EscapeDataString(roomId)}/tags";
        await (await bobClient.PutAsJsonAsync(Tags(oldRoom) + "/u.friends", new { order = 0.25 })).AssertOkAsync();
        Assert.Contains(oldRoom, await ListedAsync(bobClient));

        var newRoom = (await (await aliceClient.PostRoomAsync(oldRoom, "upgrade", new { new_version = "10" })).AssertOkAsync())
            .GetProperty("replacement_room").GetString()!;
        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(newRoom)}{via}", null)).AssertOkAsync();

        var resolved = await (await bobClient.GetAsync($"/_matrix/client/v3/directory/room/{Uri.EscapeDataString(alias)}")).AssertOkAsync();
        Assert.Equal(newRoom, resolved.GetProperty("room_id").GetString());
        var listed = await ListedAsync(bobClient);
        Assert.Contains(newRoom, listed);
        Assert.DoesNotContain(oldRoom, listed);
        var tags = (await (await bobClient.GetAsync(Tags(newRoom))).AssertOkAsync()).GetProperty("tags");
        Assert.Equal(0.25, tags.GetProperty("u.friends").GetProperty("order").GetDouble());
    }

    private static async Task<List<string>> ListedAsync(HttpClient c) =>
        (await (await c.GetAsync("/_matrix/client/v3/publicRooms?limit=100")).AssertOkAsync()).GetProperty("chunk").EnumerateArray()
            .Select(r => r.GetProperty("room_id").GetString()!).ToList();

    public void Dispose() => _ca.Dispose();
}
