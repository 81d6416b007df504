using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Alice of server A invites bob of server B, which answers the invite as a hostile server would: with an event that
/// is not one of the room's version (a float in a version 6 room), or with the invite not signed. Neither becomes an
/// invite in A's room; the first is 400 <c>M_BAD_JSON</c>, as Synapse answers, the second a 502.
/// </summary>
public sealed class HostileInviteAnswerTests : IDisposable
{
    private const string Invite = "/_matrix/federation/v2/invite";

    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AnInviteAnswerThatIsNoEventOfTheRoomsVersion_IsBadJson_AndOneNotSigned_A502_NeitherInvites(string engine)
    {
        var stub = new FederationAnswerStub();
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: builder => builder.Services.AddSingleton<IStartupFilter>(stub));
        var (_, alice) = await a.RegisterClientAsync();
        var (bob, _) = await b.RegisterClientAsync();
        var room = await alice.CreateRoomAsync(new { preset = "private_chat", room_version = "6" });

        stub.Answer(Invite, _ =>
        {
            var ev = SentInvite(stub);
            ev["bad_val"] = 1.1;
            return new JsonObject { ["event"] = ev };
        });
        var badJson = await InviteAsync(alice, room, bob.UserId);
        var error = await badJson.AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        Assert.Contains(b.Options.ServerName, error.GetProperty("error").GetString());

        // Our invite back as sent: well formed, but B never signed it.
        stub.Answer(Invite, _ => new JsonObject { ["event"] = SentInvite(stub) });
        await (await InviteAsync(alice, room, bob.UserId)).AssertErrorAsync(HttpStatusCode.BadGateway, "M_UNKNOWN");

        Assert.Equal(2, stub.RequestsTo(Invite).Count);
        var member = await alice.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(room)}/state/m.room.member/{Uri.EscapeDataString(bob.UserId)}");
        await member.AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    /// <summary>The invite event of the request being answered (the stub records each request before answering it).</summary>
    private static JsonObject SentInvite(FederationAnswerStub stub) => stub.RequestsTo(Invite)[^1].Body!["event"]!.DeepClone().AsObject();

    private static Task<HttpResponseMessage> InviteAsync(HttpClient client, string room, string userId) =>
        client.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(room)}/invite", new { user_id = userId });

    public void Dispose() => _ca.Dispose();
}
