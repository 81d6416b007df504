using System.Net;
using Homeserver.IntegrationTests.Sync;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.E2ee;

/// <summary>PUT /sendToDevice and the to_device section of sync: durable, at-least-once, in order, idempotent per txnId.</summary>
public sealed class ToDeviceTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static Dictionary<string, Dictionary<string, object>> To(TestUser user, string device, object content) =>
        new() { [user.UserId] = new() { [device] = content } };

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Message_ArrivesOnce_IsRedeliveredForTheOldToken_AndGoneOnceTheNewerOneIsUsed(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var t1 = (await b.SyncAsync()).NextBatch();

        await (await a.SendToDeviceAsync("m.test", "txn1", To(bob, bob.DeviceId, new { n = 1 }))).AssertOkAsync();
        // The same transaction again is the client retrying: it must not be queued twice.
        await (await a.SendToDeviceAsync("m.test", "txn1", To(bob, bob.DeviceId, new { n = 1 }))).AssertOkAsync();

        var first = await b.SyncAsync(t1);
        var events = first.ToDeviceEvents();
        Assert.Single(events);
        Assert.Equal("m.test", events[0].GetProperty("type").GetString());
        Assert.Equal(alice.UserId, events[0].GetProperty("sender").GetString());
        Assert.Equal(1, events[0].GetProperty("content").GetProperty("n").GetInt32());

        // The response was "lost": retrying with the old token brings the message again (fault F9).
        var retried = await b.SyncAsync(t1);
        Assert.Single(retried.ToDeviceEvents());
        var t2 = retried.NextBatch();

        Assert.Empty((await b.SyncAsync(t2)).ToDeviceEvents());
        // Using the newer token confirmed delivery, so even the old token no longer brings it.
        Assert.Empty((await b.SyncAsync(t1)).ToDeviceEvents());
    }

    [Fact]
    public async Task OverAWebSocket_AMessageStaysUntilTheClientResumesPastIt()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var t1 = (await b.SyncAsync()).NextBatch();

        string t2;
        using (var ws = await SyncClient.ConnectAsync(hs, bob, "&since=" + Uri.EscapeDataString(t1)))
        {
            Assert.NotNull(await SyncClient.ReceiveAsync(ws, TimeSpan.FromSeconds(10)));
            await (await a.SendToDeviceAsync("m.test", "ws", To(bob, bob.DeviceId, new { n = 1 }))).AssertOkAsync();
            var frame = await SyncClient.ReceiveAsync(ws, TimeSpan.FromSeconds(10)) ?? throw new Xunit.Sdk.XunitException("no frame");
            Assert.Single(frame.ToDeviceEvents());
            t2 = frame.NextBatch();
            // Later rounds of the socket move past the message, which must not count as delivered.
            await a.SendToDeviceAsync("m.other", "ws2", To(alice, alice.DeviceId, new { }));
            await Task.Delay(300);
        }

        // As if the frame had been lost with the connection: resuming from t1 brings the message again.
        Assert.Single((await b.SyncAsync(t1)).ToDeviceEvents());
        Assert.Empty((await b.SyncAsync(t2)).ToDeviceEvents());
        Assert.Empty((await b.SyncAsync(t1)).ToDeviceEvents());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Star_ReachesEveryDeviceOfTheUser_InOrder(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, laptop) = await hs.RegisterClientAsync();
        var bobPhone = await hs.LoginAsync(bob);
        await (await a.SendToDeviceAsync("m.test", "t1", To(bob, "*", new { n = 1 }))).AssertOkAsync();
        await (await a.SendToDeviceAsync("m.test", "t2", To(bob, bobPhone.DeviceId, new { n = 2 }))).AssertOkAsync();

        using var phone = hs.ClientFor(bobPhone);
        Assert.Equal([1], (await laptop.SyncAsync()).ToDeviceEvents().Select(e => e.GetProperty("content").GetProperty("n").GetInt32()));
        Assert.Equal([1, 2], (await phone.SyncAsync()).ToDeviceEvents().Select(e => e.GetProperty("content").GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task LongPoll_WakesOnAToDeviceMessage()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var since = (await b.SyncAsync()).NextBatch();
        var started = DateTime.UtcNow;
        var poll = b.SyncAsync(since, timeout: 20_000);
        await Task.Delay(300);
        Assert.False(poll.IsCompleted);
        await (await a.SendToDeviceAsync("m.test", "wake", To(bob, bob.DeviceId, new { hello = true }))).AssertOkAsync();
        var woken = await poll;
        Assert.Single(woken.ToDeviceEvents());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ManyMessages_ComeAHundredAtATime_WithoutSkippingAny()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        for (var i = 0; i < 105; i++)
            await (await a.SendToDeviceAsync("m.test", "m" + i, To(bob, bob.DeviceId, new { n = i }))).AssertOkAsync();
        var first = await b.SyncAsync();
        var second = await b.SyncAsync(first.NextBatch());
        var received = first.ToDeviceEvents().Concat(second.ToDeviceEvents()).Select(e => e.GetProperty("content").GetProperty("n").GetInt32()).ToList();
        Assert.Equal(100, first.ToDeviceEvents().Count);
        Assert.Equal(Enumerable.Range(0, 105), received);
    }

    [Fact]
    public async Task UnknownAndRemoteRecipients_AreIgnored_OversizedAndMalformedAreRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var messages = new Dictionary<string, Dictionary<string, object>>
        {
            ["@nobody:" + TestHomeserver.ServerName] = new() { ["*"] = new { x = 1 } },
            ["@someone:elsewhere.example"] = new() { ["DEV"] = new { x = 1 } },
            [bob.UserId] = new() { ["NOSUCHDEVICE"] = new { x = 1 } },
        };
        await (await a.SendToDeviceAsync("m.test", "ignored", messages)).AssertOkAsync();
        Assert.Empty((await b.SyncAsync()).ToDeviceEvents());

        var big = To(bob, bob.DeviceId, new { blob = new string('x', 70_000) });
        await (await a.SendToDeviceAsync("m.test", "big", big)).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "M_TOO_LARGE");
        await (await a.SendToDeviceAsync("m.test", "bad", new Dictionary<string, object> { [bob.UserId] = "not an object" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await a.SendToDeviceAsync("m.test", "baduser", new Dictionary<string, object> { ["not-a-user"] = new { } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }
}
