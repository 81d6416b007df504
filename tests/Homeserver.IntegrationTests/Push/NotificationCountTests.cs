using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Core.Push.Counts;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Push;

public sealed class NotificationCountTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string ThreadFilter = """{"room":{"timeline":{"unread_thread_notifications":true}}}""";

    private static async Task<JsonElement> SyncAsync(HttpClient c, string? since = null, string? filter = null) =>
        await (await c.GetAsync("/_matrix/client/v3/sync?timeout=0" + (since is null ? "" : "&since=" + since)
            + (filter is null ? "" : "&filter=" + Uri.EscapeDataString(filter)))).AssertOkAsync();

    private static JsonElement? JoinedRoom(JsonElement sync, string roomId) =>
        sync.GetProperty("rooms").GetProperty("join").TryGetProperty(roomId, out var room) ? room : null;

    private static (long Notifications, long Highlights) Unread(JsonElement sync, string roomId)
    {
        var room = JoinedRoom(sync, roomId) ?? throw new Xunit.Sdk.XunitException($"{roomId} is not in the sync");
        var unread = room.GetProperty("unread_notifications");
        return (unread.GetProperty("notification_count").GetInt64(), unread.GetProperty("highlight_count").GetInt64());
    }

    private static async Task<string> SendAsync(HttpClient c, string roomId, object content) =>
        (await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/{Guid.NewGuid():N}", content))
            .AssertOkAsync()).GetProperty("event_id").GetString()!;

    private static Task<HttpResponseMessage> ReceiptAsync(HttpClient c, string roomId, string type, string eventId, object? body = null) =>
        c.PostAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/receipt/{type}/{Uri.EscapeDataString(eventId)}", body ?? new { });

    private static object Mention(string userId, string body) =>
        new Dictionary<string, object> { ["msgtype"] = "m.text", ["body"] = body, ["m.mentions"] = new { user_ids = new[] { userId } } };

    private async Task<(TestHomeserver Hs, HttpClient Alice, HttpClient Bob, TestUser BobUser, string RoomId)> RoomAsync(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var bobUser = await hs.RegisterAsync();
        var a = hs.ClientFor(await hs.RegisterAsync());
        var b = hs.ClientFor(bobUser);
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        return (hs, a, b, bobUser, roomId);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Counts_RiseWithMessagesAndMentions_ResetByReadAndPrivateReceipts(string engine)
    {
        var (hs, a, b, bob, roomId) = await RoomAsync(engine);
        using var _ = a;
        using var __ = b;
        var first = await SyncAsync(b);
        Assert.Equal((0, 0), Unread(first, roomId));

        await a.SendTextAsync(roomId, "one");
        var two = await a.SendTextAsync(roomId, "two");
        var afterMessages = await SyncAsync(b, first.GetProperty("next_batch").GetString());
        Assert.Equal((2, 0), Unread(afterMessages, roomId));

        var mention = await SendAsync(a, roomId, Mention(bob.UserId, "look here"));
        var afterMention = await SyncAsync(b, afterMessages.GetProperty("next_batch").GetString());
        Assert.Equal((3, 1), Unread(afterMention, roomId));
        Assert.Equal(3, await hs.Services.GetRequiredService<NotificationCounts>().TotalUnreadAsync(bob.UserId, CancellationToken.None));
        Assert.Equal((0, 0), Unread(await SyncAsync(a), roomId));

        // The reader's receipt brings the room back into their next sync with the counts after it.
        await (await ReceiptAsync(b, roomId, "m.read", two)).AssertOkAsync();
        var afterRead = await SyncAsync(b, afterMention.GetProperty("next_batch").GetString());
        Assert.Equal((1, 1), Unread(afterRead, roomId));

        await (await ReceiptAsync(b, roomId, "m.read.private", mention)).AssertOkAsync();
        var afterPrivate = await SyncAsync(b, afterRead.GetProperty("next_batch").GetString());
        Assert.Equal((0, 0), Unread(afterPrivate, roomId));
        Assert.Equal(0, await hs.Services.GetRequiredService<NotificationCounts>().TotalUnreadAsync(bob.UserId, CancellationToken.None));

        // An older public receipt does not undo the later private one.
        await (await ReceiptAsync(b, roomId, "m.read", two)).AssertOkAsync();
        Assert.Equal((0, 0), Unread(await SyncAsync(b), roomId));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ThreadCounts_SplitWhenAskedFor_ClearedByThreadedReceipts(string engine)
    {
        var (_, a, b, _, roomId) = await RoomAsync(engine);
        using var __ = a;
        using var ___ = b;
        var root = await a.SendTextAsync(roomId, "root");
        await SendAsync(a, roomId, ThreadReply(root, "r1"));
        var r2 = await SendAsync(a, roomId, ThreadReply(root, "r2"));

        Assert.Equal((3, 0), Unread(await SyncAsync(b), roomId));
        Assert.False(JoinedRoom(await SyncAsync(b), roomId)!.Value.TryGetProperty("unread_thread_notifications", out _));

        var split = await SyncAsync(b, filter: ThreadFilter);
        Assert.Equal((1, 0), Unread(split, roomId));
        var thread = JoinedRoom(split, roomId)!.Value.GetProperty("unread_thread_notifications").GetProperty(root);
        Assert.Equal(2, thread.GetProperty("notification_count").GetInt64());

        await (await ReceiptAsync(b, roomId, "m.read", r2, new { thread_id = root })).AssertOkAsync();
        var threadRead = await SyncAsync(b, split.GetProperty("next_batch").GetString(), ThreadFilter);
        Assert.Equal((1, 0), Unread(threadRead, roomId));
        Assert.False(JoinedRoom(threadRead, roomId)!.Value.GetProperty("unread_thread_notifications").TryGetProperty(root, out _));

        await (await ReceiptAsync(b, roomId, "m.read", root, new { thread_id = "main" })).AssertOkAsync();
        Assert.Equal((0, 0), Unread(await SyncAsync(b, threadRead.GetProperty("next_batch").GetString(), ThreadFilter), roomId));
    }

    [Fact]
    public async Task MutedRoom_AndEditsAndReactions_DoNotCount()
    {
        var (_, a, b, _, roomId) = await RoomAsync("sqlite");
        using var __ = a;
        using var ___ = b;
        var original = await a.SendTextAsync(roomId, "hello");
        await SendAsync(a, roomId, new Dictionary<string, object>
        {
            ["msgtype"] = "m.text", ["body"] = "* hello!", ["m.new_content"] = new { msgtype = "m.text", body = "hello!" },
            ["m.relates_to"] = new { rel_type = "m.replace", event_id = original },
        });
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.reaction/{Guid.NewGuid():N}",
            new Dictionary<string, object> { ["m.relates_to"] = new { rel_type = "m.annotation", event_id = original, key = "👍" } })).AssertOkAsync();
        Assert.Equal((1, 0), Unread(await SyncAsync(b), roomId));

        await (await b.PutAsJsonAsync($"/_matrix/client/v3/pushrules/global/room/{Uri.EscapeDataString(roomId)}", new { actions = Array.Empty<string>() })).AssertOkAsync();
        await a.SendTextAsync(roomId, "anyone?");
        Assert.Equal((1, 0), Unread(await SyncAsync(b), roomId));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Notifications_PageNewestFirst_OnlyHighlight_ReadFlags(string engine)
    {
        var (hs, a, b, bob, roomId) = await RoomAsync(engine);
        using var __ = a;
        using var ___ = b;
        var sent = new List<string>();
        for (var i = 0; i < 5; i++)
            sent.Add(i % 2 == 1 ? await SendAsync(a, roomId, Mention(bob.UserId, $"m{i}")) : await a.SendTextAsync(roomId, $"m{i}"));
        await (await ReceiptAsync(b, roomId, "m.read", sent[2])).AssertOkAsync();

        var seen = new List<JsonElement>();
        string? from = null;
        do
        {
            var page = await (await b.GetAsync("/_matrix/client/v3/notifications?limit=2" + (from is null ? "" : "&from=" + from))).AssertOkAsync();
            var items = page.GetProperty("notifications").EnumerateArray().ToList();
            Assert.True(items.Count <= 2);
            seen.AddRange(items);
            from = page.TryGetProperty("next_token", out var next) ? next.GetString() : null;
        } while (from is not null);
        Assert.Equal(sent.AsEnumerable().Reverse(), seen.Select(n => n.GetProperty("event").GetProperty("event_id").GetString()));
        Assert.Equal([false, false, true, true, true], seen.Select(n => n.GetProperty("read").GetBoolean()));
        var newest = seen[0];
        Assert.Equal(roomId, newest.GetProperty("room_id").GetString());
        Assert.Equal("m4", newest.GetProperty("event").GetProperty("content").GetProperty("body").GetString());
        Assert.False(newest.GetProperty("event").TryGetProperty("room_id", out _));
        Assert.True(newest.GetProperty("ts").GetInt64() > 0);
        Assert.Equal("notify", newest.GetProperty("actions")[0].GetString());

        var highlights = await (await b.GetAsync("/_matrix/client/v3/notifications?only=highlight")).AssertOkAsync();
        Assert.Equal([sent[3], sent[1]], highlights.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("event").GetProperty("event_id").GetString()));
        Assert.False(highlights.TryGetProperty("next_token", out _));
        Assert.Empty((await (await a.GetAsync("/_matrix/client/v3/notifications")).AssertOkAsync()).GetProperty("notifications").EnumerateArray());

        await (await b.GetAsync("/_matrix/client/v3/notifications?from=nope")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await b.GetAsync("/_matrix/client/v3/notifications?limit=-1")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Fact]
    public async Task Invite_NotifiesTheInvitee()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var (carol, c) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        await a.InviteAsync(roomId, carol.UserId);
        var list = await (await c.GetAsync("/_matrix/client/v3/notifications")).AssertOkAsync();
        var invite = Assert.Single(list.GetProperty("notifications").EnumerateArray());
        Assert.Equal("m.room.member", invite.GetProperty("event").GetProperty("type").GetString());
        Assert.Equal(carol.UserId, invite.GetProperty("event").GetProperty("state_key").GetString());
    }

    private static Dictionary<string, object> ThreadReply(string root, string body) => new()
    {
        ["msgtype"] = "m.text", ["body"] = body, ["m.relates_to"] = new { rel_type = "m.thread", event_id = root },
    };
}
