using System.Text.Json.Nodes;
using Homeserver.Core.Rooms.Spaces;
using Xunit;

namespace Homeserver.UnitTests.Rooms.Spaces;

/// <summary>Which <c>m.space.child</c> events are links, and their order (client-server spec, "Ordering of children within a space").</summary>
public sealed class SpaceChildrenTests
{
    private static JsonObject Child(string roomId, long ts, JsonNode? order = null, JsonNode? via = null, bool? suggested = null)
    {
        var content = new JsonObject { ["via"] = via ?? new JsonArray("example.org") };
        if (order is not null)
            content["order"] = order;
        if (suggested is not null)
            content["suggested"] = suggested.Value;
        return new JsonObject
        {
            ["type"] = "m.space.child", ["state_key"] = roomId, ["sender"] = "@a:example.org", ["origin_server_ts"] = ts,
            ["content"] = content, ["event_id"] = "$x", ["room_id"] = "!space:example.org",
        };
    }

    [Fact]
    public void Strip_KeepsTheStrippedFieldsAndTimestamp_AndDropsLinksWithoutServers()
    {
        var link = SpaceChildren.Strip(Child("!a:example.org", 42))!;
        Assert.Equal(["type", "state_key", "content", "sender", "origin_server_ts"], link.Select(p => p.Key));
        Assert.Equal(42, link["origin_server_ts"]!.GetValue<long>());
        Assert.Null(SpaceChildren.Strip(Child("!a:example.org", 1, via: new JsonArray())));
        Assert.Null(SpaceChildren.Strip(Child("!a:example.org", 1, via: new JsonArray(1))));
        Assert.Null(SpaceChildren.Strip(Child("!a:example.org", 1, via: JsonValue.Create("example.org"))));
        Assert.Null(SpaceChildren.Strip(Child("", 1)));
    }

    [Fact]
    public void Ordered_ValidOrdersFirstByCodePoint_ThenTimestamp_ThenRoomId()
    {
        var links = new[]
        {
            Child("!late:example.org", 5),
            Child("!b:example.org", 1),
            Child("!a:example.org", 1),
            Child("!upper:example.org", 9, order: "B"),
            Child("!lower:example.org", 9, order: "a"),
            Child("!space:example.org", 9, order: " "),
            Child("!toolong:example.org", 0, order: new string('a', 51)),
            Child("!unicode:example.org", 0, order: "é"),
            Child("!number:example.org", 0, order: 1),
        }.Select(l => SpaceChildren.Strip(l)!);
        Assert.Equal(
            ["!space:example.org", "!upper:example.org", "!lower:example.org", "!number:example.org", "!toolong:example.org", "!unicode:example.org",
             "!a:example.org", "!b:example.org", "!late:example.org"],
            SpaceChildren.Ordered(links).Select(SpaceChildren.ChildOf));
    }

    [Fact]
    public void Suggested_KeepsOnlyLinksSuggestingTheirChild_WhenAsked()
    {
        var links = new[] { Child("!s:example.org", 1, suggested: true), Child("!n:example.org", 2, suggested: false), Child("!x:example.org", 3) }
            .Select(l => SpaceChildren.Strip(l)!).ToList();
        Assert.Equal(["!s:example.org"], SpaceChildren.Suggested(links, suggestedOnly: true).Select(SpaceChildren.ChildOf));
        Assert.Equal(3, SpaceChildren.Suggested(links, suggestedOnly: false).Count());
    }
}
