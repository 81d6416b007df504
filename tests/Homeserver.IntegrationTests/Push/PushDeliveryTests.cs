using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Push;

/// <summary>Notifications reaching a push gateway on loopback (allow-listed) over the Push Gateway API.</summary>
public sealed class PushDeliveryTests
{
    private const string AppId = "org.example.app";

    internal static PushOptions TestPushOptions(TimeSpan? onlineGrace = null) => new()
    {
        AllowedIpRanges = ["127.0.0.1/32"],
        OnlineGrace = new(onlineGrace ?? TimeSpan.Zero),
        RetryInitial = new(TimeSpan.FromMilliseconds(200)),
        RetryMax = new(TimeSpan.FromSeconds(1)),
        RequestTimeout = new(TimeSpan.FromSeconds(5)),
    };

    private static Task<TestHomeserver> StartAsync(string engine, TimeSpan? onlineGrace = null) =>
        TestHomeserver.StartAsync(engine, o => o.Push = TestPushOptions(onlineGrace));

    /// <summary>Alice ("Major Tom") and Bob in the room "Mission Control"; Bob's device has a pusher to <paramref name="url"/>.</summary>
    private static async Task<(HttpClient Alice, string AliceId, HttpClient Bob, TestUser BobUser, string RoomId)> RoomWithPusherAsync(
        TestHomeserver hs, string url, object? data = null)
    {
        var alice = await hs.RegisterAsync();
        var bob = await hs.RegisterAsync();
        var a = hs.ClientFor(alice);
        var b = hs.ClientFor(bob);
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(alice.UserId)}/displayname", new { displayname = "Major Tom" })).AssertOkAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat", name = "Mission Control" });
        await b.JoinAsync(roomId);
        await (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/set", PusherApiTests.HttpPusher("bob-key", url, AppId, data: data ?? new Dictionary<string, object> { ["url"] = url, ["custom"] = "kept" }))).AssertOkAsync();
        return (a, alice.UserId, b, bob, roomId);
    }

    private static JsonElement Notification(FakePushEndpoint.Received r)
    {
        Assert.Equal("/_matrix/push/v1/notify", r.Path);
        // Exactly this type: gateways in use refuse it with a charset parameter.
        Assert.Equal("application/json", r.Headers.ContentType.ToString());
        return JsonDocument.Parse(r.Body).RootElement.GetProperty("notification");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OfflineUser_GatewayReceivesTheSpecPayload(string engine)
    {
        await using var gateway = await FakePushEndpoint.StartAsync();
        await using var hs = await StartAsync(engine);
        var (a, aliceId, b, bob, roomId) = await RoomWithPusherAsync(hs, gateway.NotifyUrl);
        var eventId = await a.SendTextAsync(roomId, "I'm floating in a most peculiar way.");

        var n = Notification(await gateway.NextAsync());
        Assert.Equal(eventId, n.GetProperty("event_id").GetString());
        Assert.Equal(eventId, n.GetProperty("id").GetString());
        Assert.Equal(roomId, n.GetProperty("room_id").GetString());
        Assert.Equal("m.room.message", n.GetProperty("type").GetString());
        Assert.Equal(aliceId, n.GetProperty("sender").GetString());
        Assert.Equal("Major Tom", n.GetProperty("sender_display_name").GetString());
        Assert.Equal("Mission Control", n.GetProperty("room_name").GetString());
        Assert.Equal("high", n.GetProperty("prio").GetString());
        Assert.Equal("I'm floating in a most peculiar way.", n.GetProperty("content").GetProperty("body").GetString());
        Assert.Equal("m.text", n.GetProperty("content").GetProperty("msgtype").GetString());
        Assert.Equal(1, n.GetProperty("counts").GetProperty("unread").GetInt32());
        var device = Assert.Single(n.GetProperty("devices").EnumerateArray());
        Assert.Equal(AppId, device.GetProperty("app_id").GetString());
        Assert.Equal("bob-key", device.GetProperty("pushkey").GetString());
        var ts = device.GetProperty("pushkey_ts").GetInt64();
        Assert.InRange(ts, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.False(device.GetProperty("data").TryGetProperty("url", out _));
        Assert.Equal("kept", device.GetProperty("data").GetProperty("custom").GetString());
        Assert.Equal("default", device.GetProperty("tweaks").GetProperty("sound").GetString());
        await gateway.AssertQuietAsync(TimeSpan.FromMilliseconds(500));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeviceInALongPoll_GetsNoPush_ThenOfflineItDoes(string engine)
    {
        await using var gateway = await FakePushEndpoint.StartAsync();
        // A grace longer than the test's waits: the poll the first message ends still counts as syncing.
        await using var hs = await StartAsync(engine, onlineGrace: TimeSpan.FromSeconds(3));
        var (a, _, b, bob, roomId) = await RoomWithPusherAsync(hs, gateway.NotifyUrl);
        var since = (await (await b.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync()).GetProperty("next_batch").GetString();
        var poll = b.GetAsync($"/_matrix/client/v3/sync?timeout=20000&since={since}");
        await Task.Delay(300);
        var seen = await a.SendTextAsync(roomId, "you are online");
        await (await poll).AssertOkAsync();
        await gateway.AssertQuietAsync(TimeSpan.FromSeconds(1));

        await Task.Delay(TimeSpan.FromSeconds(3));
        var missed = await a.SendTextAsync(roomId, "you went away");
        Assert.Equal(missed, Notification(await gateway.NextAsync()).GetProperty("event_id").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EventIdOnly_SendsOnlyIdsCountsAndDevices(string engine)
    {
        await using var gateway = await FakePushEndpoint.StartAsync();
        await using var hs = await StartAsync(engine);
        var (a, _, b, bob, roomId) = await RoomWithPusherAsync(hs, gateway.NotifyUrl, new { url = gateway.NotifyUrl, format = "event_id_only" });
        var eventId = await a.SendTextAsync(roomId, "secret");

        var n = Notification(await gateway.NextAsync());
        Assert.Equal(["counts", "devices", "event_id", "room_id"], n.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(eventId, n.GetProperty("event_id").GetString());
        Assert.Equal(roomId, n.GetProperty("room_id").GetString());
        Assert.Equal(1, n.GetProperty("counts").GetProperty("unread").GetInt32());
        var data = Assert.Single(n.GetProperty("devices").EnumerateArray()).GetProperty("data");
        Assert.Equal("event_id_only", data.GetProperty("format").GetString());
        Assert.DoesNotContain("secret", n.GetRawText());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RejectedPushkey_DeletesThePusher(string engine)
    {
        await using var gateway = await FakePushEndpoint.StartAsync();
        gateway.Answer = () => (200, """{"rejected":["bob-key"]}""");
        await using var hs = await StartAsync(engine);
        var (a, _, b, bob, roomId) = await RoomWithPusherAsync(hs, gateway.NotifyUrl);
        await a.SendTextAsync(roomId, "one");
        await gateway.NextAsync();
        await PollAsync(async () => (await (await b.GetAsync("/_matrix/client/v3/pushers")).AssertOkAsync()).GetProperty("pushers").GetArrayLength() == 0, "the rejected pusher was not deleted");

        await a.SendTextAsync(roomId, "two");
        await gateway.AssertQuietAsync(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task FailingAndRejectingGateway_AreLoggedWithThePusherAndTheAnswer()
    {
        await using var gateway = await FakePushEndpoint.StartAsync();
        gateway.Answer = () => (503, "{}");
        var logs = new CapturingLoggerProvider();
        await using var hs = await Http.DecisionLogTests.StartLoggingAsync(logs, o => o.Push = TestPushOptions());
        var (a, _, b, bob, roomId) = await RoomWithPusherAsync(hs, gateway.NotifyUrl);
        using var _a = a;
        using var _b = b;

        await a.SendTextAsync(roomId, "is the gateway up?");
        Assert.Equal(503, (await gateway.NextAsync()).AnsweredStatus);
        var backoff = $"Warning Homeserver.Core.Push.Delivery.PushDeliveryWorker: Push to the {AppId} pusher of {bob.UserId} (device {bob.DeviceId}) failed: push gateway {gateway.NotifyUrl} answered 503; retrying in";
        await PollAsync(() => Task.FromResult(logs.Lines.Any(l => l.StartsWith(backoff, StringComparison.Ordinal))), "the failed push was not logged");

        gateway.Answer = () => (200, """{"rejected":["bob-key"]}""");
        var dropped = $"Information Homeserver.Core.Push.Delivery.PushDeliveryWorker: Deleted the {AppId} pusher of {bob.UserId} (device {bob.DeviceId}): push gateway {gateway.NotifyUrl} rejected the pushkey";
        await PollAsync(() => Task.FromResult(logs.Lines.Any(l => l.StartsWith(dropped, StringComparison.Ordinal))), "the dropped pusher was not logged");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GatewayDownAtFirst_ReceivesTheNotificationOnceUp(string engine)
    {
        var port = FakePushEndpoint.FreePort();
        await using var hs = await StartAsync(engine);
        var url = $"http://127.0.0.1:{port}/_matrix/push/v1/notify";
        var (a, _, b, bob, roomId) = await RoomWithPusherAsync(hs, url);
        var eventId = await a.SendTextAsync(roomId, "are you there?");
        await Task.Delay(1500);

        await using var gateway = await FakePushEndpoint.StartAsync(port);
        Assert.Equal(eventId, Notification(await gateway.NextAsync()).GetProperty("event_id").GetString());
        await gateway.AssertQuietAsync(TimeSpan.FromSeconds(1.5));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RestartBeforeDelivery_DeliversExactlyOnce(string engine)
    {
        await using var gateway = await FakePushEndpoint.StartAsync();
        gateway.Answer = () => (503, "{}");
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        options.Push = TestPushOptions();
        string eventId;
        string roomId;
        TestUser bob;
        await using (var hs = await TestHomeserver.StartAsync(options))
        {
            var (a, _, b, bobUser, room) = await RoomWithPusherAsync(hs, gateway.NotifyUrl);
            bob = bobUser;
            roomId = room;
            eventId = await a.SendTextAsync(roomId, "deliver me after the restart");
            Assert.Equal(503, (await gateway.NextAsync()).AnsweredStatus);
        }
        gateway.Answer = () => (200, """{"rejected":[]}""");

        await using var restarted = await TestHomeserver.StartAsync(options);
        FakePushEndpoint.Received delivered;
        do
            delivered = await gateway.NextAsync();
        while (delivered.AnsweredStatus != 200);
        Assert.Equal(eventId, Notification(delivered).GetProperty("event_id").GetString());
        await gateway.AssertQuietAsync(TimeSpan.FromSeconds(2));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task NotificationOlderThanMaxAge_IsDroppedNotDeliveredLate(string engine)
    {
        var port = FakePushEndpoint.FreePort();
        await using var hs = await TestHomeserver.StartAsync(engine, o =>
        {
            o.Push = TestPushOptions();
            o.Push.MaxAge = new(TimeSpan.FromSeconds(1));
        });
        var (a, _, b, _, roomId) = await RoomWithPusherAsync(hs, $"http://127.0.0.1:{port}/_matrix/push/v1/notify");
        await a.SendTextAsync(roomId, "stale by the time the gateway is back");
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        await using var gateway = await FakePushEndpoint.StartAsync(port);
        await gateway.AssertQuietAsync(TimeSpan.FromSeconds(1.5));
        var fresh = await a.SendTextAsync(roomId, "fresh");
        Assert.Equal(fresh, Notification(await gateway.NextAsync()).GetProperty("event_id").GetString());
        await gateway.AssertQuietAsync(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task ReadReceipt_SendsTheNewBadge_OnlyWhenTheCountChanges()
    {
        await using var gateway = await FakePushEndpoint.StartAsync();
        await using var hs = await StartAsync("sqlite");
        var (a, _, b, _, roomId) = await RoomWithPusherAsync(hs, gateway.NotifyUrl);
        var eventId = await a.SendTextAsync(roomId, "read me");
        Assert.Equal(1, Notification(await gateway.NextAsync()).GetProperty("counts").GetProperty("unread").GetInt32());

        var receipt = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/receipt/m.read/{Uri.EscapeDataString(eventId)}";
        await (await b.PostAsJsonAsync(receipt, new { })).AssertOkAsync();

        var badge = Notification(await gateway.NextAsync());
        Assert.Equal(0, badge.GetProperty("counts").GetProperty("unread").GetInt32());
        Assert.False(badge.TryGetProperty("event_id", out _), badge.ToString());
        Assert.Equal("", badge.GetProperty("id").GetString());
        var device = Assert.Single(badge.GetProperty("devices").EnumerateArray());
        Assert.Equal("bob-key", device.GetProperty("pushkey").GetString());
        Assert.False(device.GetProperty("data").TryGetProperty("url", out _));
        // The same receipt again leaves the count as the gateway last heard it: nothing more is sent.
        await (await b.PostAsJsonAsync(receipt, new { })).AssertOkAsync();
        await gateway.AssertQuietAsync(TimeSpan.FromMilliseconds(800));
    }

    [Fact]
    public async Task InviteToARoomWithoutAName_IsPushedToTheInvitee_WithMembership_NamedByItsAlias()
    {
        await using var gateway = await FakePushEndpoint.StartAsync();
        await using var hs = await StartAsync("sqlite");
        var (a, _, b, bob, _) = await RoomWithPusherAsync(hs, gateway.NotifyUrl);
        var alias = $"#launch-{Guid.NewGuid():N}:{hs.Options.ServerName}";
        var roomId = await a.CreateRoomAsync(new { preset = "private_chat", room_alias_name = alias[1..alias.IndexOf(':')] });

        await (await a.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/invite", new { user_id = bob.UserId })).AssertOkAsync();

        var n = Notification(await gateway.NextAsync());
        Assert.Equal("m.room.member", n.GetProperty("type").GetString());
        Assert.Equal(roomId, n.GetProperty("room_id").GetString());
        Assert.Equal("invite", n.GetProperty("membership").GetString());
        Assert.True(n.GetProperty("user_is_target").GetBoolean());
        Assert.Equal(alias, n.GetProperty("room_name").GetString());
        Assert.Equal(alias, n.GetProperty("room_alias").GetString());
    }

    internal static async Task PollAsync(Func<Task<bool>> condition, string failure)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
                return;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException(failure);
    }
}
