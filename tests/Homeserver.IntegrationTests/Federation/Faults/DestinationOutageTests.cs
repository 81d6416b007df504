using Homeserver.Core.Federation.Sending;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation.Faults;

/// <summary>
/// A destination that is down while a room's users keep talking: whatever was sent meanwhile reaches it once it is
/// back, in the order sent and once, whether it was down for seconds or past several backoff steps, whether our own
/// server was killed meanwhile, and when so much piled up that the queue catches up with each room's newest event.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class DestinationOutageTests
{
    /// <summary>The PDUs of one transaction (the spec's limit): a longer backlog takes the catch-up path.</summary>
    private const int OneTransaction = 50;

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ShortOutage_EverythingSentMeanwhile_ArrivesInOrderOnce(string engine)
    {
        await using var network = await FederationNetwork.StartAsync(engine, 2);
        var (a, b) = (network[0], network[1]);
        var (aliceClient, bobClient, roomId) = await SharedRoomAsync(a, b);

        await b.StopAsync();
        var sent = await SendAllAsync(aliceClient, roomId, "short", 5);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await b.StartAsync();

        await AssertArrivedInOrderOnceAsync(bobClient, roomId, sent);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LongOutage_PastSeveralBackoffSteps_EverythingSentMeanwhile_ArrivesInOrderOnce(string engine)
    {
        await using var network = await FederationNetwork.StartAsync(engine, 2);
        var (a, b) = (network[0], network[1]);
        var (aliceClient, bobClient, roomId) = await SharedRoomAsync(a, b);

        await b.StopAsync();
        var sent = new List<string>();
        var destinations = a.InProcess.Services.GetRequiredService<FederationDestinations>();
        // Messages keep coming while the retries back off to the longest wait: each try failed, the wait doubled.
        await RoomViews.EventuallyAsync(async () =>
        {
            sent.AddRange(await SendAllAsync(aliceClient, roomId, $"long{sent.Count}", 1));
            return (await destinations.GetAsync(b.ServerName, CancellationToken.None))?.RetryIntervalMs == (long)FederationNetwork.MaxRetryInterval.TotalMilliseconds;
        }, async () => $"backoff of {b.ServerName}: {await destinations.GetAsync(b.ServerName, CancellationToken.None)}");
        Assert.True(sent.Count <= OneTransaction, $"{sent.Count} messages would take the catch-up path");
        await b.StartAsync();

        await AssertArrivedInOrderOnceAsync(bobClient, roomId, sent);
        await RoomViews.EventuallyAsync(async () => (await destinations.GetAsync(b.ServerName, CancellationToken.None))?.BackingOff == false,
            () => Task.FromResult($"{b.ServerName} still backed off"));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OurServerKilled_WhileDestinationDown_QueueSurvives_AndDelivers(string engine)
    {
        await using var network = await FederationNetwork.CreateAsync(engine, 2);
        var (a, b) = (network[0], network[1]);
        await Task.WhenAll(a.StartProcessAsync(), b.StartAsync());
        var (aliceClient, bobClient, roomId) = await SharedRoomAsync(a, b);

        await b.StopAsync();
        var beforeKill = await SendAllAsync(aliceClient, roomId, "before kill", 5);
        await a.KillAsync();
        await a.StartProcessAsync();
        var afterKill = await SendAllAsync(aliceClient, roomId, "after kill", 2);
        await b.StartAsync();

        await AssertArrivedInOrderOnceAsync(bobClient, roomId, [.. beforeKill, .. afterKill]);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DestinationBack_AfterMoreThanOneTransaction_CatchesUp_AndItsUsersSeeEverything(string engine)
    {
        await using var network = await FederationNetwork.StartAsync(engine, 2);
        var (a, b) = (network[0], network[1]);
        var (alice, aliceClient) = await a.RegisterClientAsync();
        var (_, bobClient) = await b.RegisterClientAsync();
        // More than one transaction's worth in all, but fewer per room than one /get_missing_events answer holds, so
        // each room's gap behind its newest event is closed by one request.
        const int rooms = 6, perRoom = 9;
        var roomIds = new List<string>();
        for (var i = 0; i < rooms; i++)
        {
            var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat" });
            await JoinOverFederationAsync(bobClient, roomId, a);
            roomIds.Add(roomId);
        }
        var since = await SyncTokenAsync(bobClient);

        await b.StopAsync();
        var sent = new Dictionary<string, List<string>>();
        foreach (var roomId in roomIds)
            sent[roomId] = await SendAllAsync(aliceClient, roomId, $"catch-up {roomId}", perRoom);
        Assert.True(rooms * perRoom > OneTransaction);
        await b.StartAsync();

        foreach (var roomId in roomIds)
            await AssertArrivedInOrderOnceAsync(bobClient, roomId, sent[roomId]);
        var filter = Uri.EscapeDataString("""{"room":{"timeline":{"limit":50}}}""");
        var joined = (await (await bobClient.GetAsync($"/_matrix/client/v3/sync?timeout=0&since={since}&filter={filter}")).AssertOkAsync())
            .GetProperty("rooms").GetProperty("join");
        foreach (var roomId in roomIds)
        {
            var timeline = joined.GetProperty(roomId).GetProperty("timeline").GetProperty("events").EnumerateArray()
                .Where(e => e.GetProperty("sender").GetString() == alice.UserId && e.GetProperty("type").GetString() == "m.room.message")
                .Select(e => e.GetProperty("event_id").GetString()!).ToList();
            Assert.Equal(sent[roomId], timeline);
        }
    }

    /// <summary>A public room of a user of A that a user of B has joined through the handshakes, as both servers see it.</summary>
    private static async Task<(HttpClient Alice, HttpClient Bob, string RoomId)> SharedRoomAsync(FederatedServer a, FederatedServer b)
    {
        var (_, aliceClient) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var roomId = await aliceClient.CreateRoomAsync(new { preset = "public_chat" });
        await JoinOverFederationAsync(bobClient, roomId, a);
        await aliceClient.WaitForMembershipAsync(roomId, bob.UserId, "join");
        return (aliceClient, bobClient, roomId);
    }

    private static async Task JoinOverFederationAsync(HttpClient c, string roomId, FederatedServer via) =>
        await (await c.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?via={Uri.EscapeDataString(via.ServerName)}", null)).AssertOkAsync();

    private static async Task<List<string>> SendAllAsync(HttpClient c, string roomId, string prefix, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
            ids.Add(await c.SendTextAsync(roomId, $"{prefix} {i}"));
        return ids;
    }

    /// <summary>The messages are all in /messages, once each and in the order sent.</summary>
    private static async Task AssertArrivedInOrderOnceAsync(HttpClient c, string roomId, List<string> sent)
    {
        await c.WaitForEventAsync(roomId, sent[^1]);
        await RoomViews.EventuallyAsync(async () => sent.All((await c.TimelineIdsAsync(roomId)).Contains),
            async () => $"missing at {c.BaseAddress}: {string.Join(", ", sent.Except(await c.TimelineIdsAsync(roomId)))}");
        var timeline = Enumerable.Reverse(await c.TimelineIdsAsync(roomId)).Where(sent.Contains).ToList();
        Assert.Equal(sent, timeline);
    }

    private static async Task<string> SyncTokenAsync(HttpClient c) =>
        (await (await c.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync()).GetProperty("next_batch").GetString()!;
}
