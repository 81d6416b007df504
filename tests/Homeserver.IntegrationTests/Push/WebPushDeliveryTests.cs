using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Push;

/// <summary>MSC4174 Web Push pushers against a push service on loopback that decrypts and checks what it receives.</summary>
public sealed class WebPushDeliveryTests
{
    private const string AppId = "org.example.web";

    private static object WebPusher(WebPushSubscriber sub, string url) => new
    {
        kind = "webpush",
        app_id = AppId,
        pushkey = sub.Pushkey,
        app_display_name = "Web",
        device_display_name = "Browser",
        lang = "en",
        data = new { url, auth = sub.Auth },
    };

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ActivationThenNotification_EncryptedForTheSubscription_SignedWithTheAdvertisedVapidKey(string engine)
    {
        await using var service = await FakePushEndpoint.StartAsync();
        service.Answer = () => (201, "{}");
        await using var hs = await TestHomeserver.StartAsync(engine, o => o.Push = PushDeliveryTests.TestPushOptions());
        var (alice, a) = await hs.RegisterClientAsync();
        var (_, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat", name = "Web Room" });
        await b.JoinAsync(roomId);
        var vapid = (await (await b.GetAsync("/_matrix/client/v3/capabilities")).AssertOkAsync())
            .GetProperty("capabilities").GetProperty("m.webpush").GetProperty("vapid").GetString()!;
        var audience = $"http://127.0.0.1:{service.Port}";

        using var sub = new WebPushSubscriber();
        var set = await b.PostAsJsonAsync("/_matrix/client/v3/pushers/set", WebPusher(sub, service.WebPushUrl));
        Assert.Equal(HttpStatusCode.Created, set.StatusCode);

        // The activation push: encrypted, signed, carrying the token the client sends back.
        var activation = await service.NextAsync();
        Assert.Equal("/wp/subscription-1", activation.Path);
        Assert.Equal("aes128gcm", activation.Headers.ContentEncoding.ToString());
        WebPushSubscriber.VerifyVapid(activation.Headers.Authorization.ToString(), vapid, audience);
        var ack = sub.Decrypt(activation.Body);
        Assert.Equal(AppId, ack.GetProperty("app_id").GetString());
        var token = ack.GetProperty("ack_token").GetString()!;
        Assert.True(Guid.TryParse(token, out _));

        // Until acknowledged, notifications wait.
        await a.SendTextAsync(roomId, "before activation");
        await service.AssertQuietAsync(TimeSpan.FromMilliseconds(700));
        await (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/ack", new { app_id = AppId, ack_token = token })).AssertOkAsync();
        var pusher = Assert.Single((await (await b.GetAsync("/_matrix/client/v3/pushers")).AssertOkAsync()).GetProperty("pushers").EnumerateArray());
        Assert.True(pusher.GetProperty("activated").GetBoolean());
        Assert.Equal(sub.Pushkey, pusher.GetProperty("pushkey").GetString());

        var eventId = await a.SendTextAsync(roomId, "hello over web push");
        var push = await service.NextAsync();
        Assert.Equal("172800", push.Headers["TTL"].ToString());
        Assert.Equal("high", push.Headers["Urgency"].ToString());
        WebPushSubscriber.VerifyVapid(push.Headers.Authorization.ToString(), vapid, audience);
        var n = sub.Decrypt(push.Body).GetProperty("notification");
        Assert.Equal(eventId, n.GetProperty("event_id").GetString());
        Assert.Equal(roomId, n.GetProperty("room_id").GetString());
        Assert.Equal(alice.UserId, n.GetProperty("sender").GetString());
        Assert.Equal("Web Room", n.GetProperty("room_name").GetString());
        Assert.Equal("hello over web push", n.GetProperty("content").GetProperty("body").GetString());
        var device = Assert.Single(n.GetProperty("devices").EnumerateArray());
        Assert.Equal(sub.Pushkey, device.GetProperty("pushkey").GetString());
        Assert.False(device.GetProperty("data").TryGetProperty("auth", out _));
        Assert.False(device.GetProperty("data").TryGetProperty("url", out _));
        await service.AssertQuietAsync(TimeSpan.FromMilliseconds(500));

        // A token is single use.
        await (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/ack", new { app_id = AppId, ack_token = token }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN_ACTIVATION_TOKEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SubscriptionGone410_DeletesThePusher(string engine)
    {
        await using var service = await FakePushEndpoint.StartAsync();
        service.Answer = () => (410, "{}");
        await using var hs = await TestHomeserver.StartAsync(engine, o => o.Push = PushDeliveryTests.TestPushOptions());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        using var sub = new WebPushSubscriber();
        Assert.Equal(HttpStatusCode.Created, (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/set", WebPusher(sub, service.WebPushUrl))).StatusCode);
        Assert.Equal(410, (await service.NextAsync()).AnsweredStatus);
        await PushDeliveryTests.PollAsync(async () =>
            (await (await b.GetAsync("/_matrix/client/v3/pushers")).AssertOkAsync()).GetProperty("pushers").GetArrayLength() == 0, "the gone subscription was kept");
    }

    /// <summary>A clock the test can move forward, for the activation token's five-minute lifetime.</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Offset { get; set; }
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ActivationToken_ExpiresAfterFiveMinutes_SettingAgainIssuesAFreshOne(string engine)
    {
        await using var service = await FakePushEndpoint.StartAsync();
        service.Answer = () => (201, "{}");
        var clock = new ShiftedTime();
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        options.Push = PushDeliveryTests.TestPushOptions();
        await using var hs = await TestHomeserver.StartAsync(options, builder => builder.Services.AddSingleton<TimeProvider>(clock));
        using var b = hs.ClientFor(await hs.RegisterAsync());
        using var sub = new WebPushSubscriber();
        Assert.Equal(HttpStatusCode.Created, (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/set", WebPusher(sub, service.WebPushUrl))).StatusCode);
        var first = sub.Decrypt((await service.NextAsync()).Body).GetProperty("ack_token").GetString();

        clock.Offset = TimeSpan.FromMinutes(6);
        await (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/ack", new { app_id = AppId, ack_token = first }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_EXPIRED_ACTIVATION_TOKEN");

        // Setting the same subscription again keeps it waiting and sends nothing new; a new URL needs a new activation.
        Assert.Equal(HttpStatusCode.OK, (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/set", WebPusher(sub, service.WebPushUrl))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/set", WebPusher(sub, service.WebPushUrl + "-renewed"))).StatusCode);
        var second = sub.Decrypt((await service.NextAsync()).Body).GetProperty("ack_token").GetString();
        Assert.NotEqual(first, second);
        await (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/ack", new { app_id = AppId, ack_token = second })).AssertOkAsync();
    }
}
