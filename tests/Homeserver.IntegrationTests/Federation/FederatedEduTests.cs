using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Federation.Edus;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Typing, receipts and presence between users of two servers of ours sharing a room, through the client API on both
/// sides (each side's EDUs through its outbound queue into the other's /send), and EDUs that speak for users of another
/// server than their origin, which are ignored.
/// </summary>
public sealed class FederatedEduTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    private sealed record Shared(TestHomeserver A, TestHomeserver B, TestUser Alice, HttpClient AliceClient, TestUser Bob, HttpClient BobClient, string RoomId)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }

    /// <summary>Alice of A created a public room, Bob of B joined it by the handshakes.</summary>
    private async Task<Shared> StartAsync(string engine, Action<WebApplicationBuilder>? configureA = null, Action<WebApplicationBuilder>? configureB = null)
    {
        var a = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: configureA);
        var b = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: configureB);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat" });
        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.Options.ServerName)}", null)).AssertOkAsync();
        return new Shared(a, b, alice, aliceClient, bob, bobClient, roomId);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Typing_ReachesTheOtherServersSync_BothWays_StartAndStop(string engine)
    {
        await using var s = await StartAsync(engine);
        var bobSync = await SyncReader.StartAsync(s.BobClient);
        var aliceSync = await SyncReader.StartAsync(s.AliceClient);

        await SetTypingAsync(s.AliceClient, s.Alice.UserId, s.RoomId, true);
        await bobSync.UntilAsync(r => TypingIn(r, s.RoomId) is { } users && users.SequenceEqual([s.Alice.UserId]));
        await SetTypingAsync(s.AliceClient, s.Alice.UserId, s.RoomId, false);
        await bobSync.UntilAsync(r => TypingIn(r, s.RoomId) is [], "alice's stop");

        await SetTypingAsync(s.BobClient, s.Bob.UserId, s.RoomId, true);
        await aliceSync.UntilAsync(r => TypingIn(r, s.RoomId) is { } users && users.Contains(s.Bob.UserId));
    }

    /// <summary>
    /// The other side ends a notice it hears nothing more of (Synapse after 60 s), so a notice that goes on is sent again
    /// every resend interval (1 s here instead of 40), and no more once it stopped.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Typing_GoingOn_IsSentAgainUntilItStops(string engine)
    {
        var received = new TypingEduRecorder();
        await using var s = await StartAsync(engine,
            configureA: b => b.Services.AddSingleton(new TypingResend(TimeSpan.FromSeconds(1))),
            configureB: b => b.Services.AddSingleton<IStartupFilter>(received));
        var bobSync = await SyncReader.StartAsync(s.BobClient);

        await SetTypingAsync(s.AliceClient, s.Alice.UserId, s.RoomId, true);
        await bobSync.UntilAsync(r => TypingIn(r, s.RoomId) is { } users && users.SequenceEqual([s.Alice.UserId]));
        // The start, then at least two resends, although the client said nothing more.
        await received.UntilAsync(e => e.Count(t => t.UserId == s.Alice.UserId && t.RoomId == s.RoomId && t.IsTyping) >= 3, "alice's resent typing");

        await SetTypingAsync(s.AliceClient, s.Alice.UserId, s.RoomId, false);
        await received.UntilAsync(e => e.Any(t => t.UserId == s.Alice.UserId && !t.IsTyping), "alice's stop");
        await bobSync.UntilAsync(r => TypingIn(r, s.RoomId) is [], "alice's stop on B");
        var afterStop = received.Edus;
        Assert.True(afterStop[^1] is { IsTyping: false }, "a resend came after the stop");
        // Three resend intervals: a notice still resent would show here.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(afterStop.Count, received.Edus.Count);
    }

    /// <summary>B's side: the <c>m.typing</c> EDUs of every transaction it is pushed, in the order they came, before B handles them.</summary>
    private sealed class TypingEduRecorder : IStartupFilter
    {
        public sealed record Typing(string RoomId, string UserId, bool IsTyping);

        private readonly List<Typing> _edus = [];
        private readonly Lock _lock = new();

        public IReadOnlyList<Typing> Edus
        {
            get
            {
                lock (_lock)
                    return [.. _edus];
            }
        }

        public async Task UntilAsync(Func<IReadOnlyList<Typing>, bool> seen, string what)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!seen(Edus))
            {
                Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; typing EDUs received: {string.Join(", ", Edus)}");
                await Task.Delay(100);
            }
        }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, nextMiddleware) =>
            {
                if (ctx.Request.Method == "PUT" && ctx.Request.Path.StartsWithSegments("/_matrix/federation/v1/send"))
                {
                    ctx.Request.EnableBuffering();
                    var body = (await JsonNode.ParseAsync(ctx.Request.Body))?.AsObject();
                    ctx.Request.Body.Position = 0;
                    var typing = (body?["edus"]?.AsArray() ?? []).Select(e => e!.AsObject())
                        .Where(e => e["edu_type"]?.GetValue<string>() == "m.typing")
                        .Select(e => e["content"]!.AsObject())
                        .Select(c => new Typing(c["room_id"]!.GetValue<string>(), c["user_id"]!.GetValue<string>(), c["typing"]!.GetValue<bool>()));
                    lock (_lock)
                        _edus.AddRange(typing);
                }
                await nextMiddleware(ctx);
            });
            next(app);
        };
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Receipts_ReachTheOtherServersSync_BothWays_ThreadedToo_ButPrivateOnesNever(string engine)
    {
        await using var s = await StartAsync(engine);
        var fromAlice = await s.AliceClient.SendTextAsync(s.RoomId, "read me");
        var aliceSync = await SyncReader.StartAsync(s.AliceClient);
        await WaitForEventAsync(s.BobClient, s.RoomId, fromAlice);

        // The private receipt is queued, were it ever, before the threaded public one: seeing the second without the
        // first shows the first never left.
        await PostReceiptAsync(s.BobClient, s.RoomId, "m.read.private", fromAlice, new { });
        await PostReceiptAsync(s.BobClient, s.RoomId, "m.read", fromAlice, new { thread_id = "main" });
        var seen = await aliceSync.UntilAsync(r => ReceiptOf(r, s.RoomId, fromAlice, "m.read", s.Bob.UserId) is { } receipt
            && receipt.TryGetProperty("thread_id", out var thread) && thread.GetString() == "main");
        Assert.DoesNotContain(seen, r => ReceiptOf(r, s.RoomId, fromAlice, "m.read.private", s.Bob.UserId) is not null);
        var onA = await s.AliceClient.GetAsync($"/_matrix/client/v3/sync?timeout=0");
        Assert.Null(ReceiptOf(await onA.AssertOkAsync(), s.RoomId, fromAlice, "m.read.private", s.Bob.UserId));

        var fromBob = await s.BobClient.SendTextAsync(s.RoomId, "and me");
        await WaitForEventAsync(s.AliceClient, s.RoomId, fromBob);
        var bobSync = await SyncReader.StartAsync(s.BobClient);
        await PostReceiptAsync(s.AliceClient, s.RoomId, "m.read", fromBob, new { });
        await bobSync.UntilAsync(r => ReceiptOf(r, s.RoomId, fromBob, "m.read", s.Alice.UserId) is { } receipt && !receipt.TryGetProperty("thread_id", out _));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Presence_ReachesTheServersSharingARoom_BothWays(string engine)
    {
        await using var s = await StartAsync(engine);
        var bobSync = await SyncReader.StartAsync(s.BobClient);
        await (await s.AliceClient.PutAsJsonAsync($"/_matrix/client/v3/presence/{Uri.EscapeDataString(s.Alice.UserId)}/status",
            new { presence = "online", status_msg = "at the desk" })).AssertOkAsync();
        await bobSync.UntilAsync(r => PresenceOf(r, s.Alice.UserId) is { } p
            && p.GetProperty("presence").GetString() == "online" && p.TryGetProperty("status_msg", out var m) && m.GetString() == "at the desk");
        var onB = await (await s.BobClient.GetAsync($"/_matrix/client/v3/presence/{Uri.EscapeDataString(s.Alice.UserId)}/status")).AssertOkAsync();
        Assert.Equal("at the desk", onB.GetProperty("status_msg").GetString());

        var aliceSync = await SyncReader.StartAsync(s.AliceClient);
        await (await s.BobClient.PutAsJsonAsync($"/_matrix/client/v3/presence/{Uri.EscapeDataString(s.Bob.UserId)}/status",
            new { presence = "unavailable", status_msg = "away" })).AssertOkAsync();
        await aliceSync.UntilAsync(r => PresenceOf(r, s.Bob.UserId) is { } p && p.GetProperty("presence").GetString() == "unavailable");
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EdusSpeakingForUsersOfAnotherServer_AreIgnored(string engine)
    {
        await using var s = await StartAsync(engine);
        var message = await s.AliceClient.SendTextAsync(s.RoomId, "hello");
        var aliceSync = await SyncReader.StartAsync(s.AliceClient);
        var fromB = new RemotePduFactory(s.A, s.B);
        var body = fromB.Transaction([]);
        body["edus"] = new JsonArray(
            Edu("m.typing", new JsonObject { ["room_id"] = s.RoomId, ["user_id"] = s.Alice.UserId, ["typing"] = true }),
            Edu("m.receipt", new JsonObject
            {
                [s.RoomId] = new JsonObject { ["m.read"] = new JsonObject { [s.Alice.UserId] = new JsonObject { ["event_ids"] = new JsonArray(message), ["data"] = new JsonObject { ["ts"] = 1 } } } },
            }),
            Edu("m.presence", new JsonObject { ["push"] = new JsonArray(new JsonObject { ["user_id"] = s.Alice.UserId, ["presence"] = "unavailable", ["status_msg"] = "forged", ["last_active_ago"] = 0 }) }),
            // Bob is B's own user, joined: this one stands.
            Edu("m.typing", new JsonObject { ["room_id"] = s.RoomId, ["user_id"] = s.Bob.UserId, ["typing"] = true }));
        var answer = await fromB.PutAsync("forged", body);
        Assert.True(answer.IsSuccessStatusCode, answer.StatusCode.ToString());

        var seen = await aliceSync.UntilAsync(r => TypingIn(r, s.RoomId) is { } users && users.Contains(s.Bob.UserId));
        Assert.DoesNotContain(seen, r => TypingIn(r, s.RoomId) is { } users && users.Contains(s.Alice.UserId));
        Assert.DoesNotContain(seen, r => ReceiptOf(r, s.RoomId, message, "m.read", s.Alice.UserId) is { } receipt && receipt.GetProperty("ts").GetInt64() == 1);
        var own = await (await s.AliceClient.GetAsync($"/_matrix/client/v3/presence/{Uri.EscapeDataString(s.Alice.UserId)}/status")).AssertOkAsync();
        Assert.False(own.TryGetProperty("status_msg", out var status) && status.GetString() == "forged", own.ToString());
    }

    private static JsonObject Edu(string type, JsonObject content) => new() { ["edu_type"] = type, ["content"] = content };

    private static async Task SetTypingAsync(HttpClient c, string userId, string roomId, bool typing) =>
        await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/typing/{Uri.EscapeDataString(userId)}",
            new { typing, timeout = 30000 })).AssertOkAsync();

    private static async Task PostReceiptAsync(HttpClient c, string roomId, string type, string eventId, object body) =>
        await (await c.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/receipt/{type}/{Uri.EscapeDataString(eventId)}", body)).AssertOkAsync();

    private static IEnumerable<JsonElement> Ephemeral(JsonElement sync, string roomId) =>
        sync.TryGetProperty("rooms", out var rooms) && rooms.TryGetProperty("join", out var join) && join.TryGetProperty(roomId, out var room)
            && room.TryGetProperty("ephemeral", out var ephemeral)
            ? ephemeral.GetProperty("events").EnumerateArray()
            : [];

    /// <summary>The users typing in the room as this sync response says, or null when it says nothing of typing.</summary>
    private static List<string>? TypingIn(JsonElement sync, string roomId) =>
        Ephemeral(sync, roomId).Where(e => e.GetProperty("type").GetString() == "m.typing")
            .Select(e => e.GetProperty("content").GetProperty("user_ids").EnumerateArray().Select(u => u.GetString()!).ToList()).LastOrDefault();

    private static JsonElement? ReceiptOf(JsonElement sync, string roomId, string eventId, string type, string userId)
    {
        foreach (var e in Ephemeral(sync, roomId).Where(e => e.GetProperty("type").GetString() == "m.receipt"))
            if (e.GetProperty("content").TryGetProperty(eventId, out var byType) && byType.TryGetProperty(type, out var byUser)
                && byUser.TryGetProperty(userId, out var receipt))
                return receipt;
        return null;
    }

    private static JsonElement? PresenceOf(JsonElement sync, string userId) =>
        sync.TryGetProperty("presence", out var presence)
            ? presence.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("sender").GetString() == userId)
                .Select(e => (JsonElement?)e.GetProperty("content")).LastOrDefault()
            : null;

    private static async Task WaitForEventAsync(HttpClient c, string roomId, string eventId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!(await c.MessagesAsync(roomId)).Any(e => e.GetProperty("event_id").GetString() == eventId))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{eventId} did not reach {c.BaseAddress} in {Patience}");
            await Task.Delay(100);
        }
    }

    /// <summary>A client's incremental syncs from a token on, kept so a test can look at everything they said.</summary>
    private sealed class SyncReader(HttpClient client, string since)
    {
        private string _since = since;

        public static async Task<SyncReader> StartAsync(HttpClient c) =>
            new(c, (await (await c.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync()).GetProperty("next_batch").GetString()!);

        /// <summary>Syncs until a response satisfies <paramref name="done"/>; every response read, that one last.</summary>
        public async Task<List<JsonElement>> UntilAsync(Func<JsonElement, bool> done, string? what = null)
        {
            var seen = new List<JsonElement>();
            var deadline = DateTime.UtcNow + Patience;
            while (true)
            {
                var response = await (await client.GetAsync($"/_matrix/client/v3/sync?timeout=1000&since={Uri.EscapeDataString(_since)}")).AssertOkAsync();
                seen.Add(response);
                _since = response.GetProperty("next_batch").GetString()!;
                if (done(response))
                    return seen;
                Assert.True(DateTime.UtcNow < deadline, $"{what ?? "the change"} did not reach {client.BaseAddress}'s sync in {Patience}");
            }
        }
    }

    public void Dispose() => _ca.Dispose();
}
