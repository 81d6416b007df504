using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.IntegrationTests.Sync;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary>
/// Every room version the server offers works end to end through the client API: a room of each is created, used
/// (messages, a redaction, a power level change) and read back through /sync, /messages, /context and /event, with
/// event and room IDs in the version's own shape.
/// </summary>
public sealed class RoomVersionsTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    public static TheoryData<string, string> VersionsOnEngines()
    {
        var data = new TheoryData<string, string>();
        foreach (var engine in TestEngines.All)
            foreach (var version in RoomVersions.All)
                data.Add(engine, version.Id);
        return data;
    }

    [Fact]
    public async Task Capabilities_ListEveryVersionAsStable_DefaultTwelve()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, c) = await hs.RegisterClientAsync();

        var versions = (await (await c.GetAsync("/_matrix/client/v3/capabilities")).AssertOkAsync())
            .GetProperty("capabilities").GetProperty("m.room_versions");

        Assert.Equal("12", versions.GetProperty("default").GetString());
        var available = versions.GetProperty("available").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(Enumerable.Range(1, 12).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), available.Keys);
        Assert.All(available.Values, stability => Assert.Equal("stable", stability));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ConfiguredDefaultVersion_IsAdvertised_AndGivenToRoomsCreatedWithoutOne(string engine)
    {
        await using var hs = await TestHomeserver.StartAsync(engine, o => o.DefaultRoomVersion = "11");
        var (_, c) = await hs.RegisterClientAsync();

        var versions = (await (await c.GetAsync("/_matrix/client/v3/capabilities")).AssertOkAsync())
            .GetProperty("capabilities").GetProperty("m.room_versions");
        var roomId = await c.CreateRoomAsync();
        var create = await (await c.GetRoomAsync(roomId, "state/m.room.create/")).AssertOkAsync();
        var chosen = await c.CreateRoomAsync(new { room_version = "12" });
        var chosenCreate = await (await c.GetRoomAsync(chosen, "state/m.room.create/")).AssertOkAsync();

        Assert.Equal("11", versions.GetProperty("default").GetString());
        Assert.Equal("11", create.GetProperty("room_version").GetString());
        Assert.Equal("12", chosenCreate.GetProperty("room_version").GetString());
    }

    [Theory, MemberData(nameof(VersionsOnEngines))]
    public async Task Room_SendRedactPowerLevels_ReadBackThroughSyncMessagesAndContext(string engine, string versionId)
    {
        var hs = await fixture.GetAsync(engine);
        Assert.True(RoomVersions.TryGet(versionId, out var version));
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat", room_version = versionId });
        await b.JoinAsync(roomId);
        Assert.True(version.IsValidRoomId(RoomId.Parse(roomId)), $"{roomId} is not a room version {versionId} room ID");

        var kept = await a.SendTextAsync(roomId, "kept in v" + versionId);
        var gone = await b.SendTextAsync(roomId, "redacted in v" + versionId);
        var redaction = (await (await b.PutAsJsonAsync(
            $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/redact/{Uri.EscapeDataString(gone)}/r1", new { reason = "oops" }))
            .AssertOkAsync()).GetProperty("event_id").GetString()!;
        var levels = await (await a.GetRoomAsync(roomId, "state/m.room.power_levels/")).AssertOkAsync();
        var users = levels.GetProperty("users").EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value.GetInt64());
        users[bob.UserId] = 50;
        var levelsId = (await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.power_levels/",
            new { users, users_default = 0, events_default = 0, state_default = 50, ban = 50, kick = 50, redact = 50, invite = 0 }))
            .AssertOkAsync()).GetProperty("event_id").GetString()!;

        foreach (var id in new[] { kept, gone, redaction, levelsId })
            Assert.True(version.IsValidEventId(EventId.Parse(id)), $"{id} is not a room version {versionId} event ID");
        if (version.EventIdFormat == EventIdFormat.ServerGenerated)
            Assert.EndsWith(":" + TestHomeserver.ServerName, kept);

        // Bob's new level lets him do what needs 50: setting the topic.
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.topic/", new { topic = "bob's" }))
            .AssertOkAsync();

        var timeline = SyncClient.Timeline(
            await SyncClient.SyncAsync(b, filter: """{"room":{"timeline":{"limit":50}}}"""), roomId);
        AssertRoomReadsBack(timeline, versionId, kept, gone, redaction, levelsId, bob.UserId);
        AssertRoomReadsBack(await a.MessagesAsync(roomId), versionId, kept, gone, redaction, levelsId, bob.UserId);

        var context = await (await a.GetRoomAsync(roomId, $"context/{Uri.EscapeDataString(kept)}?limit=10")).AssertOkAsync();
        Assert.Equal(kept, context.GetProperty("event").GetProperty("event_id").GetString());
        Assert.Contains(gone, context.GetProperty("events_after").EnumerateArray().Select(e => e.GetProperty("event_id").GetString()));
        var redacted = await (await a.GetRoomAsync(roomId, $"event/{Uri.EscapeDataString(gone)}")).AssertOkAsync();
        Assert.Empty(redacted.GetProperty("content").EnumerateObject());
        var create = await (await a.GetRoomAsync(roomId, "state/m.room.create/")).AssertOkAsync();
        Assert.Equal(versionId, create.GetProperty("room_version").GetString());
    }

    [Theory]
    [InlineData("1", "10")]
    [InlineData("4", "1")]
    [InlineData("9", "12")]
    public async Task Upgrade_BetweenOldAndNewVersions_ReplacesTheRoom(string from, string to)
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, a) = await hs.RegisterClientAsync();
        var oldRoom = await a.CreateRoomAsync(new { room_version = from, name = "Versioned" });

        var newRoom = (await (await a.PostRoomAsync(oldRoom, "upgrade", new { new_version = to })).AssertOkAsync())
            .GetProperty("replacement_room").GetString()!;

        var create = await (await a.GetRoomAsync(newRoom, "state/m.room.create/")).AssertOkAsync();
        Assert.Equal(to, create.GetProperty("room_version").GetString());
        Assert.Equal(oldRoom, create.GetProperty("predecessor").GetProperty("room_id").GetString());
        var tombstone = await (await a.GetRoomAsync(oldRoom, "state/m.room.tombstone/")).AssertOkAsync();
        Assert.Equal(newRoom, tombstone.GetProperty("replacement_room").GetString());
        await a.SendTextAsync(newRoom, "after the upgrade");
        Assert.Contains("after the upgrade", (await a.MessagesAsync(newRoom)).Bodies());
    }

    [Theory]
    [InlineData("6", HttpStatusCode.Forbidden)]
    [InlineData("7", HttpStatusCode.OK)]
    public async Task Knock_OnlyFromVersionSeven(string versionId, HttpStatusCode expected)
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, a) = await hs.RegisterClientAsync();
        var (_, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new
        {
            room_version = versionId,
            initial_state = new[] { new { type = "m.room.join_rules", state_key = "", content = new { join_rule = "knock" } } },
        });

        var knock = await b.PostAsJsonAsync($"/_matrix/client/v3/knock/{Uri.EscapeDataString(roomId)}", new { });

        Assert.Equal(expected, knock.StatusCode);
    }

    private static void AssertRoomReadsBack(
        List<JsonElement> events, string versionId, string kept, string gone, string redaction, string levelsId, string bob)
    {
        JsonElement Event(string id) => events.Single(e => e.GetProperty("event_id").GetString() == id);

        Assert.Equal("kept in v" + versionId, Event(kept).GetProperty("content").GetProperty("body").GetString());
        var redacted = Event(gone);
        Assert.Empty(redacted.GetProperty("content").EnumerateObject());
        Assert.Equal(redaction, redacted.GetProperty("unsigned").GetProperty("redacted_because").GetProperty("event_id").GetString());
        Assert.Equal(gone, Event(redaction).GetProperty("redacts").GetString());
        Assert.Equal(50, Event(levelsId).GetProperty("content").GetProperty("users").GetProperty(bob).GetInt64());
    }
}
