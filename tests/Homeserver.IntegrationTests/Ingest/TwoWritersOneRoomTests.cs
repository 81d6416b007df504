using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Storage;
using Homeserver.IntegrationTests.Rooms;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Ingest;

/// <summary>
/// Two server processes' worth of writers (two hosts, two writer instances) on one PostgreSQL database, writing one
/// room at once: the room's order holds across them, not only within each one's in-process room lock.
/// </summary>
public sealed class TwoWritersOneRoomTests
{
    private sealed class Row
    {
        public string EventId { get; set; } = "";
        public long StreamOrdering { get; set; }
        public string Json { get; set; } = "";
    }

    [Fact]
    public async Task ConcurrentStateEvents_FromTwoWriters_LeaveCurrentStateAtTheLastInStreamOrder_AndNoEventLost()
    {
        var optionsA = await TestHomeserver.CreateOptionsAsync("postgres");
        optionsA.Database.InstanceName = "node-a";
        // Another data directory (its own keys and lock) on the same database, as a second node would have.
        var optionsB = await TestHomeserver.CreateOptionsAsync("sqlite");
        optionsB.Database = new DatabaseOptions { Engine = "postgres", ConnectionString = optionsA.Database.ConnectionString, InstanceName = "node-b" };
        await using var a = await TestHomeserver.StartAsync(optionsA);
        await using var b = await TestHomeserver.StartAsync(optionsB);

        using var alice = a.ClientFor(await a.RegisterAsync());
        using var bob = b.ClientFor(await b.RegisterAsync());
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat", power_level_content_override = new { state_default = 0 } });
        await (await bob.PostRoomAsync(roomId, "join", new { })).AssertOkAsync();

        const int PerWriter = 15;
        async Task<List<string>> TopicsAsync(HttpClient c, string who) =>
            [.. await Task.WhenAll(Enumerable.Range(0, PerWriter).Select(async i =>
                (await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.topic/",
                    new { topic = $"{who}-{i}" })).AssertOkAsync()).GetProperty("event_id").GetString()!))];
        var sent = (await Task.WhenAll(TopicsAsync(alice, "a"), TopicsAsync(bob, "b"))).SelectMany(x => x).ToHashSet();

        var db = a.Services.GetRequiredService<Database>();
        var rows = (await db.ReadAsync(c => c.ListAsync<Row>(
            "SELECT event_id, stream_ordering, json FROM events WHERE room_id = @RoomId AND event_type = 'm.room.topic' ORDER BY stream_ordering",
            new { RoomId = roomId }, default), default)).ToList();
        Assert.Equal(sent, rows.Select(r => r.EventId).ToHashSet());
        Assert.Equal(rows.Count, rows.Select(r => r.StreamOrdering).Distinct().Count());

        var current = await a.Services.GetRequiredService<CurrentStateStore>().GetStateAsync(roomId, default);
        Assert.Equal(rows[^1].EventId, current[new("m.room.topic", "")]);

        // Every event but the room's extremities is some later event's parent: no write lost its place in the DAG.
        var all = await db.ReadAsync(c => c.ListAsync<Row>("SELECT event_id, stream_ordering, json FROM events WHERE room_id = @RoomId",
            new { RoomId = roomId }, default), default);
        var parents = all.SelectMany(r => JsonNode.Parse(r.Json)!["prev_events"]!.AsArray().Select(p => p!.GetValue<string>())).ToHashSet();
        var extremities = await db.ReadAsync(c => c.ListAsync<string>("SELECT event_id FROM room_forward_extremities WHERE room_id = @RoomId",
            new { RoomId = roomId }, default), default);
        Assert.Equal(all.Select(r => r.EventId).Where(id => !parents.Contains(id)).ToHashSet(), extremities.ToHashSet());
    }
}
