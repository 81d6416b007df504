using System.Text.Json;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Xunit;

namespace Homeserver.IntegrationTests.Federation.Faults;

/// <summary>
/// Two of three servers cut apart while users on both sides change the room's state: the room's DAG forks, and once
/// the partition heals every server resolves the fork alike, so all three agree on the state and hold the same events.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class PartitionTests
{
    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PartitionBetweenTwoOfThree_WithStateChangedOnBothSides_HealsToOneStateAndOneTimeline(string engine)
    {
        await using var network = await FederationNetwork.StartAsync(engine, 3);
        var (a, b, c) = (network[0], network[1], network[2]);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var (carol, carolClient) = await c.RegisterClientAsync();
        var (mallory, malloryClient) = await c.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat", topic = "before" });
        foreach (var (client, user) in new[] { (bobClient, bob), (carolClient, carol), (malloryClient, mallory) })
        {
            await (await client.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(a.ServerName)}", null)).AssertOkAsync();
            await aliceClient.WaitForMembershipAsync(roomId, user.UserId, "join");
        }
        var levels = await SetUsersPowerAsync(aliceClient, roomId, new() { [bob.UserId] = 100 });
        var marker = await aliceClient.SendTextAsync(roomId, "everyone is here");
        foreach (var client in new[] { bobClient, carolClient })
            await client.WaitForEventAsync(roomId, marker);
        var since = (await aliceClient.WaitForEventAsync(roomId, marker)).GetProperty("origin_server_ts").GetInt64();

        await network.PartitionAsync(a, b);
        // Each side changes the topic and the power levels; B also bans mallory. C hears both sides.
        var topicA = await aliceClient.SendStateAsync(roomId, "m.room.topic", new { topic = "from A" });
        await SetUsersPowerAsync(aliceClient, roomId, new() { [bob.UserId] = 100, [carol.UserId] = 50 });
        await aliceClient.SendTextAsync(roomId, "A during the partition");
        var topicB = await bobClient.SendStateAsync(roomId, "m.room.topic", new { topic = "from B" });
        await SetUsersPowerAsync(bobClient, roomId, new() { [bob.UserId] = 100, [mallory.UserId] = 10 });
        await (await bobClient.PostRoomAsync(roomId, "ban", new { user_id = mallory.UserId, reason = "during the partition" })).AssertOkAsync();
        await bobClient.SendTextAsync(roomId, "B during the partition");
        await carolClient.WaitForEventAsync(roomId, topicA);
        await carolClient.WaitForEventAsync(roomId, topicB);
        Assert.NotEqual("from B", (await aliceClient.StateContentAsync(roomId, "m.room.topic"))!.Value.GetProperty("topic").GetString());

        await network.HealAsync();
        // Each side's queue delivers what the other missed; the branches are known everywhere, and every server's
        // current state is their resolution, before anyone sends again.
        var clients = new[] { aliceClient, bobClient, carolClient };
        await AgreeAsync(clients, roomId, since);
        Assert.Contains(topicA, await bobClient.TimelineIdsAsync(roomId));
        Assert.Contains(topicB, await aliceClient.TimelineIdsAsync(roomId));

        // New events on both sides build on both branches and reach everyone.
        var afterA = await aliceClient.SendTextAsync(roomId, "A after the partition");
        var afterB = await bobClient.SendTextAsync(roomId, "B after the partition");
        await carolClient.WaitForEventAsync(roomId, afterA);
        await carolClient.WaitForEventAsync(roomId, afterB);
        await AgreeAsync(clients, roomId, since);

        // What only one side changed holds everywhere; what both changed is the one value state resolution chose.
        foreach (var client in clients)
            Assert.Equal("ban", (await client.MembershipsAsync(roomId))[mallory.UserId]);
        var topic = (await carolClient.StateContentAsync(roomId, "m.room.topic"))!.Value.GetProperty("topic").GetString();
        Assert.Contains(topic, new[] { "from A", "from B" });
        Assert.NotEqual(levels, (await carolClient.StateContentAsync(roomId, "m.room.power_levels"))!.Value.GetProperty("users").ToString());
    }

    /// <summary>Waits until the servers serve the same /state and hold the same events since <paramref name="since"/>.</summary>
    private static Task AgreeAsync(HttpClient[] clients, string roomId, long since) =>
        RoomViews.EventuallyAsync(async () =>
        {
            var states = await Task.WhenAll(clients.Select(cl => cl.StateAsync(roomId)));
            var timelines = await Task.WhenAll(clients.Select(cl => TimelineSinceAsync(cl, roomId, since)));
            return states.All(s => s.SequenceEqual(states[0])) && timelines.All(t => t.SetEquals(timelines[0]));
        }, async () => string.Join("\n", await Task.WhenAll(clients.Select(async cl =>
            $"{cl.BaseAddress}: state {string.Join(", ", await cl.StateAsync(roomId))}; timeline {string.Join(", ", (await TimelineSinceAsync(cl, roomId, since)).Order())}"))));

    /// <summary>Sets the power levels' users to <paramref name="users"/>; returns the users as JSON text.</summary>
    private static async Task<string> SetUsersPowerAsync(HttpClient c, string roomId, Dictionary<string, int> users)
    {
        var content = (await c.StateContentAsync(roomId, "m.room.power_levels"))!.Value.Deserialize<Dictionary<string, object?>>()!;
        content["users"] = users;
        await c.SendStateAsync(roomId, "m.room.power_levels", content);
        return JsonSerializer.SerializeToElement(users).ToString();
    }

    /// <summary>The IDs of the room's events from <paramref name="sinceTs"/> on that the server holds in its timeline.</summary>
    private static async Task<HashSet<string>> TimelineSinceAsync(HttpClient c, string roomId, long sinceTs) =>
        (await c.MessagesAsync(roomId, "dir=b&limit=1000"))
            .Where(e => e.GetProperty("origin_server_ts").GetInt64() >= sinceTs)
            .Select(e => e.GetProperty("event_id").GetString()!).ToHashSet();
}
