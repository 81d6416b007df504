using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Two servers that have never talked: the first requests of one reach the other several at once, before the
/// other has its signing key. Each of them must be checked against the key the first of them fetches, not
/// refused because a fetch of that server's keys was already under way.
/// </summary>
public sealed class FirstContactTests : IAsyncLifetime
{
    private const int Joiners = 6;
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();
    private TestHomeserver _a = null!;
    private TestHomeserver _b = null!;

    public async Task InitializeAsync()
    {
        var servers = await Task.WhenAll(FederationTestServers.StartAsync("sqlite", _ca), FederationTestServers.StartAsync("sqlite", _ca));
        (_a, _b) = (servers[0], servers[1]);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _ca.Dispose();
    }

    [Fact]
    public async Task ConcurrentFirstRequests_AreAllAuthenticated_WithTheOneKeyFetch()
    {
        var (_, alice) = await _a.RegisterClientAsync();
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat" });
        var joiners = await Task.WhenAll(Enumerable.Range(0, Joiners).Select(_ => _b.RegisterClientAsync()));
        var via = Uri.EscapeDataString(_a.Options.ServerName);

        var answers = await Task.WhenAll(joiners.Select(j =>
            j.Client.PostAsJsonAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?server_name={via}", new { })));

        foreach (var answer in answers)
            await answer.AssertOkAsync();
        var members = await (await alice.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/joined_members")).AssertOkAsync();
        foreach (var (user, _) in joiners)
            Assert.True(members.GetProperty("joined").TryGetProperty(user.UserId, out _), $"{user.UserId} is not joined on the room's server: {members}");
    }
}
