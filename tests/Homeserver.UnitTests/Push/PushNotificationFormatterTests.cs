using System.Text.Json.Nodes;
using Homeserver.Core.Push.Delivery;
using Homeserver.Core.Push.Pushers;
using Xunit;

namespace Homeserver.UnitTests.Push;

public sealed class PushNotificationFormatterTests
{
    private static readonly PushEventDetails Message = new("$ev", "!room:example.org", "m.room.message", "@alice:example.org", null,
        new JsonObject { ["msgtype"] = "m.text", ["body"] = "hi" }, "Alice", "Room", "#room:example.org");

    private static PusherRecord Pusher(string kind = PusherRecord.HttpKind, string data = """{"url":"https://gw.example/_matrix/push/v1/notify","custom":1}""") => new()
    {
        UserId = "@bob:example.org", AppId = "app", Pushkey = "key", Kind = kind, Data = data, PushkeyTs = 1_700_000_000_123,
    };

    [Fact]
    public void FullFormat_CarriesEventRoomCountsAndDevice()
    {
        var n = PushNotificationFormatter.Format(Pusher(), Message, PushNotificationFormatter.ParseActions("""["notify",{"set_tweak":"sound","value":"default"}]"""), 3)["notification"]!;
        Assert.Equal("$ev", (string?)n["event_id"]);
        Assert.Equal("!room:example.org", (string?)n["room_id"]);
        Assert.Equal("m.room.message", (string?)n["type"]);
        Assert.Equal("@alice:example.org", (string?)n["sender"]);
        Assert.Equal("Alice", (string?)n["sender_display_name"]);
        Assert.Equal("Room", (string?)n["room_name"]);
        Assert.Equal("#room:example.org", (string?)n["room_alias"]);
        Assert.Equal("high", (string?)n["prio"]);
        Assert.Equal("hi", (string?)n["content"]!["body"]);
        Assert.Equal(3, (long)n["counts"]!["unread"]!);
        Assert.Null(n["user_is_target"]);
        var device = n["devices"]!.AsArray().Single()!;
        Assert.Equal("app", (string?)device["app_id"]);
        Assert.Equal("key", (string?)device["pushkey"]);
        Assert.Equal(1_700_000_000, (long)device["pushkey_ts"]!);
        Assert.Null(device["data"]!["url"]);
        Assert.Equal(1, (int)device["data"]!["custom"]!);
        Assert.Equal("default", (string?)device["tweaks"]!["sound"]);
    }

    [Fact]
    public void EventIdOnly_LeavesOutEverythingAboutTheEvent_ZeroCountsOmitted()
    {
        var body = PushNotificationFormatter.Format(Pusher(data: """{"url":"https://gw.example/_matrix/push/v1/notify","format":"event_id_only"}"""), Message, ["notify"], 0);
        var n = body["notification"]!.AsObject();
        Assert.Equal(["counts", "devices", "event_id", "room_id"], n.Select(p => p.Key).Order());
        Assert.Empty(n["counts"]!.AsObject());
        Assert.Equal("event_id_only", (string?)n["devices"]![0]!["data"]!["format"]);
        Assert.True(PushNotificationFormatter.IsHighPriority(body));
    }

    [Fact]
    public void WebPush_DropsTheAuthSecretFromData()
    {
        var n = PushNotificationFormatter.Format(Pusher(PusherRecord.WebPushKind, """{"url":"https://push.example/x","auth":"c2VjcmV0"}"""), Message, ["notify"], 1)["notification"]!;
        Assert.Empty(n["devices"]![0]!["data"]!.AsObject());
    }

    [Fact]
    public void MemberEvent_SaysWhetherTheUserIsTheTarget()
    {
        var invite = Message with { Type = "m.room.member", StateKey = "@bob:example.org" };
        Assert.True((bool)PushNotificationFormatter.Format(Pusher(), invite, ["notify"], 1)["notification"]!["user_is_target"]!);
        Assert.False((bool)PushNotificationFormatter.Format(Pusher(), invite with { StateKey = "@carol:example.org" }, ["notify"], 1)["notification"]!["user_is_target"]!);
    }

    [Theory]
    [InlineData("""["notify"]""", "m.room.message", "low")]
    [InlineData("""["notify",{"set_tweak":"sound","value":"default"}]""", "m.room.message", "high")]
    [InlineData("""["notify",{"set_tweak":"highlight"}]""", "m.room.message", "high")]
    [InlineData("""["notify",{"set_tweak":"highlight","value":false}]""", "m.room.message", "low")]
    [InlineData("""["notify"]""", "m.room.encrypted", "high")]
    public void Priority_FollowsSoundHighlightAndEncryption(string actions, string type, string prio)
    {
        var tweaks = PushTweaks.From(PushNotificationFormatter.ParseActions(actions));
        Assert.Equal(prio, PushTweaks.Priority(tweaks, type));
    }

    [Fact]
    public void Tweaks_HighlightWithoutValueMeansTrue()
    {
        var tweaks = PushTweaks.From(PushNotificationFormatter.ParseActions("""["notify",{"set_tweak":"highlight"},{"set_tweak":"sound","value":"ping"}]"""));
        Assert.True((bool)tweaks["highlight"]!);
        Assert.Equal("ping", (string?)tweaks["sound"]);
    }
}
