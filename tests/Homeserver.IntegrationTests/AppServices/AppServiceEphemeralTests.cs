using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Keys;
using Homeserver.IntegrationTests.E2ee;
using Homeserver.IntegrationTests.Push;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.AppServices;

/// <summary>
/// What a transaction carries besides events for a bridge that asks for it: typing, receipts and presence of its
/// rooms (MSC2409), to-device messages to its users' devices, device-list changes and its devices' key counts
/// (MSC3202). A loopback test double plays the bridge.
/// </summary>
public sealed class AppServiceEphemeralTests
{
    private const string AsToken = "eph-as-token-0123456789abcdef";

    private static Task<LoopbackBridge> StartAsync(string engine) => LoopbackBridge.StartAsync(engine, AsToken, "eph-hs-token-0123456789abcdef", """
        id: ephbridge
        sender_localpart: ephbot
        de.sorunome.msc2409.push_ephemeral: true
        org.matrix.msc3202: true
        namespaces:
          users:
            - exclusive: true
              regex: '@_eph_.*'
        """);

    /// <summary>A bridge user with a device of its own (logged in), joined to a public room of a client user.</summary>
    private static async Task<(TestUser Client, HttpClient C, TestUser Puppet, HttpClient P, string RoomId)> BridgedRoomAsync(LoopbackBridge b)
    {
        var (client, c) = await b.Hs.RegisterClientAsync();
        var roomId = await c.CreateRoomAsync(new { preset = "public_chat" });
        var localpart = "_eph_" + Guid.NewGuid().ToString("N")[..6];
        var registered = await (await b.AsClient.PostAsJsonAsync("/_matrix/client/v3/register",
            new { type = "m.login.application_service", username = localpart })).AssertOkAsync();
        var puppet = new TestUser(registered.GetProperty("user_id").GetString()!, localpart, "", registered.GetProperty("access_token").GetString()!,
            registered.GetProperty("device_id").GetString()!);
        var p = b.Hs.ClientFor(puppet);
        await p.JoinAsync(roomId);
        return (client, c, puppet, p, roomId);
    }

    /// <summary>Bodies of the transactions the double receives, until one satisfies <paramref name="done"/>; all answers counted.</summary>
    private static async Task<List<JsonElement>> TransactionsUntilAsync(FakePushEndpoint @double, Func<JsonElement, bool> done)
    {
        var seen = new List<JsonElement>();
        while (seen.Count == 0 || !done(seen[^1]))
        {
            var r = await @double.NextAsync(TimeSpan.FromSeconds(30));
            if (r.Path.StartsWith("/_matrix/app/v1/transactions/", StringComparison.Ordinal))
                seen.Add(JsonDocument.Parse(r.Body).RootElement);
        }
        return seen;
    }

    private static IEnumerable<JsonElement> Field(JsonElement body, string name) =>
        body.TryGetProperty(name, out var list) ? list.EnumerateArray() : [];

    private static bool HasEphemeral(JsonElement body, string type, string roomId) =>
        Field(body, "ephemeral").Any(e => e.GetProperty("type").GetString() == type && e.TryGetProperty("room_id", out var r) && r.GetString() == roomId);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TypingReceiptsAndPresence_OfTheBridgesRooms_ArriveUnderBothNames_AndOthersDoNot(string engine)
    {
        await using var b = await StartAsync(engine);
        var (client, c, _, _, roomId) = await BridgedRoomAsync(b);
        var elsewhere = await c.CreateRoomAsync(new { preset = "private_chat" });
        await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{elsewhere}/typing/{Uri.EscapeDataString(client.UserId)}", new { typing = true, timeout = 30000 })).AssertOkAsync();
        await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/typing/{Uri.EscapeDataString(client.UserId)}", new { typing = true, timeout = 30000 })).AssertOkAsync();
        var seen = await TransactionsUntilAsync(b.Double, t => HasEphemeral(t, "m.typing", roomId));
        var typing = Field(seen[^1], "ephemeral").Single(e => e.GetProperty("type").GetString() == "m.typing");
        Assert.Equal([client.UserId], typing.GetProperty("content").GetProperty("user_ids").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(seen[^1].GetProperty("ephemeral").GetRawText(), seen[^1].GetProperty("de.sorunome.msc2409.ephemeral").GetRawText());

        var eventId = await c.SendTextAsync(roomId, "read me");
        await (await c.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/receipt/m.read/{Uri.EscapeDataString(eventId)}", new { })).AssertOkAsync();
        seen.AddRange(await TransactionsUntilAsync(b.Double, t => HasEphemeral(t, "m.receipt", roomId)));
        var receipt = Field(seen[^1], "ephemeral").Single(e => e.GetProperty("type").GetString() == "m.receipt");
        Assert.True(receipt.GetProperty("content").GetProperty(eventId).GetProperty("m.read").GetProperty(client.UserId).GetProperty("ts").GetInt64() > 0);

        await (await c.PutAsJsonAsync($"/_matrix/client/v3/presence/{Uri.EscapeDataString(client.UserId)}/status", new { presence = "unavailable", status_msg = "away" }))
            .AssertOkAsync();
        seen.AddRange(await TransactionsUntilAsync(b.Double, t => Field(t, "ephemeral").Any(e => e.GetProperty("type").GetString() == "m.presence"
            && e.GetProperty("sender").GetString() == client.UserId && e.GetProperty("content").GetProperty("presence").GetString() == "unavailable")));

        Assert.DoesNotContain(seen, t => HasEphemeral(t, "m.typing", elsewhere));
        var (stranger, s) = await b.Hs.RegisterClientAsync();
        await (await s.PutAsJsonAsync($"/_matrix/client/v3/presence/{Uri.EscapeDataString(stranger.UserId)}/status", new { presence = "online" })).AssertOkAsync();
        await b.Double.AssertQuietAsync(TimeSpan.FromMilliseconds(500));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AToDeviceMessage_ToABridgeDevice_ComesInATransaction_AndLeavesTheInboxOnlyOnceTaken(string engine)
    {
        await using var b = await StartAsync(engine);
        var (client, c, puppet, p, _) = await BridgedRoomAsync(b);
        await TransactionsUntilAsync(b.Double, t => Field(t, "events").Any(e => e.GetProperty("type").GetString() == "m.room.member"));
        b.Double.Answer = () => (503, "{}");
        var messages = new Dictionary<string, object> { [puppet.UserId] = new Dictionary<string, object> { [puppet.DeviceId] = new { secret = "s1" } } };
        await (await c.SendToDeviceAsync("m.test.secret", "td1", messages)).AssertOkAsync();

        var refused = (await TransactionsUntilAsync(b.Double, t => Field(t, "org.matrix.msc2409.to_device").Any()))[^1];
        var message = Field(refused, "org.matrix.msc2409.to_device").Single();
        Assert.Equal(puppet.UserId, message.GetProperty("to_user_id").GetString());
        Assert.Equal(puppet.DeviceId, message.GetProperty("to_device_id").GetString());
        Assert.Equal(client.UserId, message.GetProperty("sender").GetString());
        Assert.Equal("m.test.secret", message.GetProperty("type").GetString());
        Assert.Equal("s1", message.GetProperty("content").GetProperty("secret").GetString());
        Assert.Equal(refused.GetProperty("org.matrix.msc2409.to_device").GetRawText(), refused.GetProperty("de.sorunome.msc2409.to_device").GetRawText());
        Assert.Single((await p.SyncAsync()).ToDeviceEvents());

        b.Double.Answer = () => (200, "{}");
        var taken = (await TransactionsUntilAsync(b.Double, t => Field(t, "org.matrix.msc2409.to_device").Any()))[^1];
        Assert.Equal(refused.GetProperty("org.matrix.msc2409.to_device").GetRawText(), taken.GetProperty("org.matrix.msc2409.to_device").GetRawText());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await p.SyncAsync()).ToDeviceEvents().Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the taken message stayed in the inbox");
            await Task.Delay(100);
        }
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeviceListChanges_OfUsersInItsRooms_AndItsDevicesKeyCounts_ComeInTransactions(string engine)
    {
        await using var b = await StartAsync(engine);
        var (client, c, puppet, p, roomId) = await BridgedRoomAsync(b);
        using var clientKey = SigningKey.Generate();
        await c.UploadKeysAsync(new { device_keys = E2eeClient.DeviceKeys(client, clientKey) });
        var changed = (await TransactionsUntilAsync(b.Double, t => t.TryGetProperty("org.matrix.msc3202.device_lists", out var d)
            && d.GetProperty("changed").EnumerateArray().Any(u => u.GetString() == client.UserId)))[^1];
        Assert.Empty(changed.GetProperty("org.matrix.msc3202.device_lists").GetProperty("left").EnumerateArray());

        using var puppetKey = SigningKey.Generate();
        var oneTime = new JsonObject();
        for (var i = 0; i < 3; i++)
            oneTime[$"signed_curve25519:k{i}"] = E2eeClient.SignedKey(puppet, puppetKey);
        await p.UploadKeysAsync(new
        {
            device_keys = E2eeClient.DeviceKeys(puppet, puppetKey),
            one_time_keys = oneTime,
            fallback_keys = new JsonObject { ["signed_curve25519:fb"] = E2eeClient.SignedKey(puppet, puppetKey, fallback: true) },
        });
        await p.SendTextAsync(roomId, "from the bridge");
        var withCounts = (await TransactionsUntilAsync(b.Double, t => Field(t, "events").Any(e => e.GetProperty("type").GetString() == "m.room.message")))[^1];
        Assert.Equal(3, withCounts.GetProperty("org.matrix.msc3202.device_one_time_keys_count").GetProperty(puppet.UserId).GetProperty(puppet.DeviceId)
            .GetProperty("signed_curve25519").GetInt32());
        Assert.Equal(["signed_curve25519"], withCounts.GetProperty("org.matrix.msc3202.device_unused_fallback_key_types").GetProperty(puppet.UserId)
            .GetProperty(puppet.DeviceId).EnumerateArray().Select(a => a.GetString()));
    }
}
