using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Push;

public sealed class PusherApiTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string GatewayUrl = "https://push.example.org/_matrix/push/v1/notify";

    internal static object HttpPusher(string pushkey, string url = GatewayUrl, string appId = "org.example.app", bool append = false, object? data = null) => new
    {
        kind = "http",
        app_id = appId,
        pushkey,
        app_display_name = "Example",
        device_display_name = "Phone",
        profile_tag = "tag1",
        lang = "en",
        data = data ?? new Dictionary<string, object> { ["url"] = url, ["custom"] = 7 },
        append,
    };

    private static async Task<JsonElement[]> PushersAsync(HttpClient c) =>
        (await (await c.GetAsync("/_matrix/client/v3/pushers")).AssertOkAsync()).GetProperty("pushers").EnumerateArray().ToArray();

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SetUpdateDelete_RoundTrip(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var c = hs.ClientFor(await hs.RegisterAsync());
        Assert.Empty(await PushersAsync(c));

        await (await c.PostAsJsonAsync("/_matrix/client/v3/pushers/set", HttpPusher("key-1"))).AssertOkAsync();
        var p = Assert.Single(await PushersAsync(c));
        Assert.Equal("key-1", p.GetProperty("pushkey").GetString());
        Assert.Equal("http", p.GetProperty("kind").GetString());
        Assert.Equal("org.example.app", p.GetProperty("app_id").GetString());
        Assert.Equal("Example", p.GetProperty("app_display_name").GetString());
        Assert.Equal("Phone", p.GetProperty("device_display_name").GetString());
        Assert.Equal("tag1", p.GetProperty("profile_tag").GetString());
        Assert.Equal("en", p.GetProperty("lang").GetString());
        Assert.Equal(GatewayUrl, p.GetProperty("data").GetProperty("url").GetString());
        Assert.Equal(7, p.GetProperty("data").GetProperty("custom").GetInt32());
        Assert.False(p.TryGetProperty("activated", out _));

        // The same app ID and pushkey updates the pusher instead of adding one.
        await (await c.PostAsJsonAsync("/_matrix/client/v3/pushers/set", HttpPusher("key-1", data: new { url = GatewayUrl, format = "event_id_only" }))).AssertOkAsync();
        p = Assert.Single(await PushersAsync(c));
        Assert.Equal("event_id_only", p.GetProperty("data").GetProperty("format").GetString());

        // A format the spec does not define is kept and means the full format, as in Synapse.
        await (await c.PostAsJsonAsync("/_matrix/client/v3/pushers/set", HttpPusher("key-1", data: new { url = GatewayUrl, format = "id_event_only", custom = "x" }))).AssertOkAsync();
        p = Assert.Single(await PushersAsync(c));
        Assert.Equal("id_event_only", p.GetProperty("data").GetProperty("format").GetString());
        Assert.Equal("x", p.GetProperty("data").GetProperty("custom").GetString());

        await (await c.PostAsJsonAsync("/_matrix/client/v3/pushers/set", HttpPusher("key-2"))).AssertOkAsync();
        Assert.Equal(2, (await PushersAsync(c)).Length);

        await (await c.PostAsJsonAsync("/_matrix/client/v3/pushers/set", new { kind = (string?)null, app_id = "org.example.app", pushkey = "key-1" })).AssertOkAsync();
        Assert.Equal("key-2", Assert.Single(await PushersAsync(c)).GetProperty("pushkey").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AppendFalse_TakesThePushkeyFromOtherUsers_AppendTrueShares(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var shared = "shared-" + Guid.NewGuid().ToString("N");
        await (await a.PostAsJsonAsync("/_matrix/client/v3/pushers/set", HttpPusher(shared))).AssertOkAsync();
        await (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/set", HttpPusher(shared, append: true))).AssertOkAsync();
        Assert.Single(await PushersAsync(a));
        Assert.Single(await PushersAsync(b));

        await (await c.PostAsJsonAsync("/_matrix/client/v3/pushers/set", HttpPusher(shared))).AssertOkAsync();
        Assert.Empty(await PushersAsync(a));
        Assert.Empty(await PushersAsync(b));
        Assert.Single(await PushersAsync(c));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LogoutAndDeviceDeletion_DeleteTheDevicesPushers(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, first) = await hs.RegisterClientAsync();
        var second = await hs.LoginAsync(user);
        using var other = hs.ClientFor(second);
        await (await first.PostAsJsonAsync("/_matrix/client/v3/pushers/set", HttpPusher("first-device"))).AssertOkAsync();
        await (await other.PostAsJsonAsync("/_matrix/client/v3/pushers/set", HttpPusher("second-device"))).AssertOkAsync();
        Assert.Equal(2, (await PushersAsync(first)).Length);

        await (await other.PostAsJsonAsync("/_matrix/client/v3/logout", new { })).AssertOkAsync();
        Assert.Equal("first-device", Assert.Single(await PushersAsync(first)).GetProperty("pushkey").GetString());

        var third = await hs.LoginAsync(user);
        using var thirdClient = hs.ClientFor(third);
        await (await thirdClient.PostAsJsonAsync("/_matrix/client/v3/pushers/set", HttpPusher("third-device"))).AssertOkAsync();
        var delete = await first.PostAsJsonAsync("/_matrix/client/v3/delete_devices", new { devices = new[] { third.DeviceId } });
        var session = await delete.AssertPasswordChallengeAsync();
        await (await first.PostAsJsonAsync("/_matrix/client/v3/delete_devices", new
        {
            devices = new[] { third.DeviceId },
            auth = new { type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = user.Password, session },
        })).AssertOkAsync();
        Assert.Equal("first-device", Assert.Single(await PushersAsync(first)).GetProperty("pushkey").GetString());
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { """{"app_id":"a","pushkey":"k"}""", "M_MISSING_PARAM" },
        { """{"kind":"http","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://x.example/_matrix/push/v1/notify"}}""", "M_MISSING_PARAM" },
        { """{"kind":"http","app_id":"a","pushkey":"k","device_display_name":"D","lang":"en","data":{"url":"https://x.example/_matrix/push/v1/notify"}}""", "M_MISSING_PARAM" },
        { """{"kind":"http","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en"}""", "M_MISSING_PARAM" },
        { """{"kind":"http","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{}}""", "M_MISSING_PARAM" },
        { """{"kind":"email","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{}}""", "M_INVALID_PARAM" },
        { """{"kind":"http","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://x.example/other/path"}}""", "M_INVALID_PARAM" },
        { """{"kind":"http","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"not a url"}}""", "M_INVALID_PARAM" },
        { """{"kind":"http","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://x.example/_matrix/push/v1/notify","format":7}}""", "M_INVALID_PARAM" },
        { """{"kind":"http","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":"https://x"}""", "M_INVALID_PARAM" },
        { """{"kind":"http","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://x.example/_matrix/push/v1/notify"},"append":"yes"}""", "M_INVALID_PARAM" },
        { """{"kind":"http","app_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://x.example/_matrix/push/v1/notify"}}""", "M_INVALID_PARAM" },
        { """{"kind":7,"app_id":"a","pushkey":"k"}""", "M_INVALID_PARAM" },
        // Destination rules (checklist rows 76, 77): plain http, private and loopback literals are refused.
        { """{"kind":"http","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"http://x.example/_matrix/push/v1/notify"}}""", "M_INVALID_PARAM" },
        { """{"kind":"http","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://10.1.2.3/_matrix/push/v1/notify"}}""", "M_INVALID_PARAM" },
        { """{"kind":"http","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://127.0.0.1:8448/_matrix/push/v1/notify"}}""", "M_INVALID_PARAM" },
        { """{"kind":"http","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://[fe80::1]/_matrix/push/v1/notify"}}""", "M_INVALID_PARAM" },
        { """{"kind":"webpush","app_id":"a","pushkey":"k","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://169.254.169.254/latest"}}""", "M_INVALID_PARAM" },
        { """{"kind":"webpush","app_id":"a","pushkey":"BNbXV88MfMI0fSxB7cDngopoviZRTbxIS0qSS-O7BZCtG04khMOn-PP2ueb_X7Aeci42n02kJ0-JJJ0uQ4ELRTs","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"http://push.example/sub"}}""", "M_INVALID_PARAM" },
        { """{"kind":"webpush","app_id":"a","pushkey":"not-a-key","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://push.example/sub","auth":"AAAAAAAAAAAAAAAAAAAAAA"}}""", "M_INVALID_PARAM" },
        { """{"kind":"webpush","app_id":"a","pushkey":"BNbXV88MfMI0fSxB7cDngopoviZRTbxIS0qSS-O7BZCtG04khMOn-PP2ueb_X7Aeci42n02kJ0-JJJ0uQ4ELRTs","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://push.example/sub"}}""", "M_MISSING_PARAM" },
        { """{"kind":"webpush","app_id":"a","pushkey":"BNbXV88MfMI0fSxB7cDngopoviZRTbxIS0qSS-O7BZCtG04khMOn-PP2ueb_X7Aeci42n02kJ0-JJJ0uQ4ELRTs","app_display_name":"A","device_display_name":"D","lang":"en","data":{"url":"https://push.example/sub","auth":"short"}}""", "M_INVALID_PARAM" },
    };

    [Theory, MemberData(nameof(BadRequests))]
    public async Task BadPusher_IsRefusedWithTheSpecError(string body, string errcode)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var res = await c.PostAsync("/_matrix/client/v3/pushers/set", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, errcode);
        Assert.Empty(await PushersAsync(c));
    }

    [Fact]
    public async Task OversizedUrl_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var url = "https://push.example.org/_matrix/push/v1/notify?" + new string('a', 10_000);
        await (await c.PostAsJsonAsync("/_matrix/client/v3/pushers/set", HttpPusher("k", url))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Fact]
    public async Task Capabilities_AdvertiseWebPushWithTheVapidKey()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var webpush = (await (await c.GetAsync("/_matrix/client/v3/capabilities")).AssertOkAsync()).GetProperty("capabilities").GetProperty("m.webpush");
        Assert.True(webpush.GetProperty("enabled").GetBoolean());
        var key = System.Buffers.Text.Base64Url.DecodeFromChars(webpush.GetProperty("vapid").GetString());
        Assert.Equal(65, key.Length);
        Assert.Equal(0x04, key[0]);
        Assert.DoesNotContain('=', webpush.GetProperty("vapid").GetString()!);
    }

    [Fact]
    public async Task Ack_UnknownAppOrToken_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        await (await c.PostAsJsonAsync("/_matrix/client/v3/pushers/ack", new { app_id = "nope", ack_token = "x" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await c.PostAsJsonAsync("/_matrix/client/v3/pushers/ack", new { app_id = "nope" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        using var sub = new WebPushSubscriber();
        var set = await c.PostAsJsonAsync("/_matrix/client/v3/pushers/set", new
        {
            kind = "webpush", app_id = "org.example.web", pushkey = sub.Pushkey, app_display_name = "Web", device_display_name = "Browser", lang = "en",
            data = new { url = "https://push.example.org/sub/1", auth = sub.Auth },
        });
        Assert.Equal(HttpStatusCode.Created, set.StatusCode);
        var p = Assert.Single(await PushersAsync(c));
        Assert.False(p.GetProperty("activated").GetBoolean());
        await (await c.PostAsJsonAsync("/_matrix/client/v3/pushers/ack", new { app_id = "org.example.web", ack_token = Guid.NewGuid().ToString() }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN_ACTIVATION_TOKEN");
    }
}
