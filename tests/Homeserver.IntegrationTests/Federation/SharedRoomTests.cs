using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// The point of federation, end to end through the client API only: users of two servers of ours share a room, and
/// messages, edits, reactions and redactions go both ways (joins by the handshakes, events by each side's outbound
/// queue into the other's /send).
/// </summary>
public sealed class SharedRoomTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UsersOfTwoServers_ShareARoom_WithMessagesEditsReactionsAndRedactionsBothWays(string engine)
    {
        await using var a = await FederationTestServers.StartAsync(engine, _ca);
        await using var b = await FederationTestServers.StartAsync(engine, _ca);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat", name = "shared channel" });
        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.Options.ServerName)}", null)).AssertOkAsync();

        var fromAlice = await aliceClient.SendTextAsync(roomId, "hello from A");
        var seenByBob = await WaitForEventAsync(bobClient, roomId, fromAlice);
        Assert.Equal(alice.UserId, seenByBob.GetProperty("sender").GetString());
        Assert.Equal("hello from A", seenByBob.GetProperty("content").GetProperty("body").GetString());

        var fromBob = await bobClient.SendTextAsync(roomId, "hello from B");
        var seenByAlice = await WaitForEventAsync(aliceClient, roomId, fromBob);
        Assert.Equal(bob.UserId, seenByAlice.GetProperty("sender").GetString());

        var edit = await SendAsync(bobClient, roomId, "m.room.message", new Dictionary<string, object>
        {
            ["msgtype"] = "m.text",
            ["body"] = "* hello again from B",
            ["m.new_content"] = new { msgtype = "m.text", body = "hello again from B" },
            ["m.relates_to"] = new { rel_type = "m.replace", event_id = fromBob },
        });
        var reaction = await SendAsync(aliceClient, roomId, "m.reaction", new Dictionary<string, object>
        {
            ["m.relates_to"] = new { rel_type = "m.annotation", event_id = fromBob, key = "👍" },
        });
        await WaitForEventAsync(aliceClient, roomId, edit);
        await WaitForEventAsync(bobClient, roomId, reaction);

        var redaction = (await (await aliceClient.PutAsJsonAsync(
            $"/_matrix/client/v3/rooms/{roomId}/redact/{Uri.EscapeDataString(fromAlice)}/r1", new { reason = "oops" })).AssertOkAsync()).GetProperty("event_id").GetString()!;
        await WaitForEventAsync(bobClient, roomId, redaction);
        var redacted = await (await bobClient.GetAsync($"/_matrix/client/v3/rooms/{roomId}/event/{Uri.EscapeDataString(fromAlice)}")).AssertOkAsync();
        Assert.False(redacted.GetProperty("content").TryGetProperty("body", out _), redacted.ToString());
        // As Synapse gives them, in /event and /messages alike: the redaction's ID and the redaction itself.
        var inMessages = (await bobClient.MessagesAsync(roomId)).Single(e => e.GetProperty("event_id").GetString() == fromAlice);
        foreach (var unsigned in new[] { redacted.GetProperty("unsigned"), inMessages.GetProperty("unsigned") })
        {
            Assert.Equal(redaction, unsigned.GetProperty("redacted_by").GetString());
            Assert.Equal(redaction, unsigned.GetProperty("redacted_because").GetProperty("event_id").GetString());
            Assert.Equal("oops", unsigned.GetProperty("redacted_because").GetProperty("content").GetProperty("reason").GetString());
        }

        // Both servers hold the same history. The edit and the reaction were sent at once on different servers, so each
        // server lists them in the order they reached it, as Synapse does.
        Assert.Equal((await TimelineIdsAsync(aliceClient, roomId)).Order(), (await TimelineIdsAsync(bobClient, roomId)).Order());
    }

    private static async Task<string> SendAsync(HttpClient c, string roomId, string type, object content) =>
        (await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/{type}/{Guid.NewGuid():N}", content)).AssertOkAsync())
            .GetProperty("event_id").GetString()!;

    /// <summary>The event as /messages serves it once it has arrived, polling as a client would.</summary>
    private static async Task<JsonElement> WaitForEventAsync(HttpClient c, string roomId, string eventId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var found = (await c.MessagesAsync(roomId)).FirstOrDefault(e => e.GetProperty("event_id").GetString() == eventId);
            if (found.ValueKind == JsonValueKind.Object)
                return found;
            Assert.True(DateTime.UtcNow < deadline, $"{eventId} did not reach {c.BaseAddress} in {Patience}");
            await Task.Delay(100);
        }
    }

    private static async Task<List<string>> TimelineIdsAsync(HttpClient c, string roomId) =>
        (await c.MessagesAsync(roomId)).Where(e => e.GetProperty("type").GetString() is "m.room.message" or "m.reaction" or "m.room.redaction")
            .Select(e => e.GetProperty("event_id").GetString()!).ToList();

    public void Dispose() => _ca.Dispose();
}
