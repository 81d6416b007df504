using System.Net;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Federation.Sending;
using Homeserver.Core.Keys;
using Homeserver.IntegrationTests.Ingest;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation.Sending;

/// <summary>
/// The outbound queue, watched from the other end: our server sends a room's events to a test receiver whose user
/// joined the room over federation (a join PDU signed by the receiver, pushed through our ingest pipeline).
/// </summary>
public sealed class FederationSendingTests : IDisposable
{
    private static readonly TimeSpan FastRetry = TimeSpan.FromMilliseconds(200);
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    private sealed record Room(TestHomeserver Hs, HttpClient Alice, string AliceId, string RoomId);

    private async Task<TestHomeserver> StartServerAsync(string engine, TimeSpan? minRetry = null) =>
        await FederationTestServers.StartAsync(engine, _ca, o =>
        {
            o.Federation.DestinationMinRetryInterval = new Duration(minRetry ?? FastRetry);
            o.Federation.DestinationMaxRetryInterval = new Duration(TimeSpan.FromSeconds(Math.Max(2, (minRetry ?? FastRetry).TotalSeconds)));
        });

    private static async Task<Room> NewRoomAsync(TestHomeserver hs)
    {
        var (alice, client) = await hs.RegisterClientAsync();
        var roomId = await client.CreateRoomAsync(new { preset = "public_chat", room_version = "12" });
        return new Room(hs, client, alice.UserId, roomId);
    }

    private static void Expect(TestHomeserver hs, TestFederationReceiver receiver) =>
        receiver.Sender = (hs.Options.ServerName, hs.Services.GetRequiredService<SigningKey>());

    /// <summary>A user of <paramref name="server"/> sends a membership event of its own, as that server would over federation.</summary>
    private static async Task<Pdu> RemoteMembershipAsync(Room room, TestFederationReceiver server, string localpart, string membership)
    {
        var userId = $"@{localpart}:{server.ServerName}";
        var events = new IngestEvents(room.Hs);
        var extremity = await LatestEventAsync(room);
        var pdu = await events.BuildAsync(room.RoomId, userId, EventTypes.Member, new JsonObject { ["membership"] = membership }, [extremity],
            stateKey: userId, key: server.Key);
        await ReceiveFromAsync(room.Hs, pdu, server.ServerName);
        return pdu;
    }

    private static async Task ReceiveFromAsync(TestHomeserver hs, Pdu pdu, string origin)
    {
        var persisted = await hs.Services.GetRequiredService<Homeserver.Core.Rooms.Ingest.EventIngest>().IngestAsync(
            new Homeserver.Core.Rooms.Ingest.IngestContext { Event = pdu, Origin = origin, IsLocal = false }, default);
        Assert.NotNull(persisted);
    }

    private static async Task<string> LatestEventAsync(Room room)
    {
        var extremities = await room.Hs.Services.GetRequiredService<Homeserver.Core.Rooms.RoomStore>().ForwardExtremitiesAsync(room.RoomId, default);
        return Assert.Single(extremities).EventId;
    }

    private static string Describe(JsonObject pdu) => pdu["type"]!.GetValue<string>() == EventTypes.Member
        ? $"{pdu["content"]!["membership"]} {pdu["state_key"]!.GetValue<string>().Split(':', 2)[1]}"
        : pdu["content"]!["body"]!.GetValue<string>();

    private static IEnumerable<string?> Bodies(IEnumerable<JsonObject> pdus) => pdus.Select(p => p["content"]?["body"]?.GetValue<string>());

    private static Task<FederationDestinations.Status?> StatusAsync(TestHomeserver hs, TestFederationReceiver receiver) =>
        hs.Services.GetRequiredService<FederationDestinations>().GetAsync(receiver.ServerName, default);

    /// <summary>
    /// The destination's state once <paramref name="settled"/> holds: the receiver records a transaction before our
    /// side hears its answer and records the outcome.
    /// </summary>
    private static async Task<FederationDestinations.Status> StatusWhenAsync(TestHomeserver hs, TestFederationReceiver receiver,
        Func<FederationDestinations.Status, bool> settled)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while (true)
        {
            var status = await StatusAsync(hs, receiver);
            if (status is not null && settled(status) || DateTimeOffset.UtcNow > deadline)
                return status ?? throw new InvalidOperationException($"{receiver.ServerName} is no destination");
            await Task.Delay(20);
        }
    }

    private static Task<FederationDestinations.Status> IdleStatusAsync(TestHomeserver hs, TestFederationReceiver receiver) =>
        StatusWhenAsync(hs, receiver, s => s.PendingTxnId is null);

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LocalMessages_ReachTheRemoteMembersServer_OnceInOrder_SignedAsStored(string engine)
    {
        await using var receiver = await TestFederationReceiver.StartAsync(_ca);
        await using var hs = await StartServerAsync(engine);
        Expect(hs, receiver);
        var room = await NewRoomAsync(hs);
        await RemoteMembershipAsync(room, receiver, "r", "join");

        for (var i = 1; i <= 3; i++)
            await room.Alice.SendTextAsync(room.RoomId, $"m{i}");
        var pdus = await receiver.WaitForPdusAsync(3);

        Assert.Equal(["m1", "m2", "m3"], Bodies(pdus));
        var key = hs.Services.GetRequiredService<SigningKey>();
        foreach (var pdu in pdus)
        {
            Assert.False(pdu.ContainsKey("unsigned"));
            Assert.Equal(room.RoomId, pdu["room_id"]!.GetValue<string>());
            Assert.True(EventVerifier.VerifySignature(pdu, RoomVersions.V12, hs.Options.ServerName, key.KeyId, key.PublicKey));
            Assert.True(EventVerifier.VerifyContentHash(pdu));
        }
        Assert.All(receiver.Transactions, t =>
        {
            Assert.True(t.SignedBySender);
            Assert.Equal(hs.Options.ServerName, t.Body["origin"]!.GetValue<string>());
            Assert.Empty(t.Body["edus"]!.AsArray());
        });
        Assert.Equal(receiver.Transactions.Count, receiver.Transactions.Select(t => t.TxnId).Distinct().Count());
        // The receiver's own join was never sent back to it; nothing is left queued once all arrived.
        Assert.DoesNotContain(receiver.AcceptedPdus, p => p["type"]!.GetValue<string>() == EventTypes.Member);
        var status = await IdleStatusAsync(hs, receiver);
        Assert.Equal((0, 0, false), (status.QueuedPdus, status.QueuedEdus, status.BackingOff));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EventsFromTheRemoteServer_AreNotSentBack(string engine)
    {
        await using var receiver = await TestFederationReceiver.StartAsync(_ca);
        await using var hs = await StartServerAsync(engine);
        Expect(hs, receiver);
        var room = await NewRoomAsync(hs);
        await RemoteMembershipAsync(room, receiver, "r", "join");
        var events = new IngestEvents(hs);
        var remoteMessage = await events.BuildAsync(room.RoomId, $"@r:{receiver.ServerName}", "m.room.message", IngestEvents.Text("from afar"),
            [await LatestEventAsync(room)], key: receiver.Key);
        await ReceiveFromAsync(hs, remoteMessage, receiver.ServerName);

        var status = await StatusAsync(hs, receiver);
        Assert.True(status is null || status.QueuedPdus == 0);
        await room.Alice.SendTextAsync(room.RoomId, "local");
        var pdus = await receiver.WaitForPdusAsync(1);

        Assert.Equal(["local"], Bodies(pdus));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AFailingReceiver_IsRetriedWithBackoffAndTheSameTxnId_ThenGetsEverything(string engine)
    {
        await using var receiver = await TestFederationReceiver.StartAsync(_ca);
        await using var hs = await StartServerAsync(engine);
        Expect(hs, receiver);
        var room = await NewRoomAsync(hs);
        await RemoteMembershipAsync(room, receiver, "r", "join");
        receiver.Status = HttpStatusCode.InternalServerError;

        await room.Alice.SendTextAsync(room.RoomId, "m1");
        await receiver.WaitForTransactionsAsync(3);
        await room.Alice.SendTextAsync(room.RoomId, "m2");
        await room.Alice.SendTextAsync(room.RoomId, "m3");
        var failing = await StatusWhenAsync(hs, receiver, s => s.LastError is not null);
        Assert.True(failing.BackingOff);
        Assert.NotNull(failing.PendingTxnId);
        Assert.Contains("500", failing.LastError);
        // Two failures or more: the wait has doubled at least once.
        Assert.True(failing.RetryIntervalMs >= 2 * FastRetry.TotalMilliseconds, $"waits {failing.RetryIntervalMs} ms after {receiver.Transactions.Count} failures");
        receiver.Status = HttpStatusCode.OK;
        var pdus = await receiver.WaitForPdusAsync(3);

        Assert.Equal(["m1", "m2", "m3"], Bodies(pdus));
        var tries = receiver.Transactions.TakeWhile(t => t.Answer != HttpStatusCode.OK).ToList();
        var firstAccepted = receiver.Transactions.First(t => t.Answer == HttpStatusCode.OK);
        Assert.All(tries, t => Assert.Equal(firstAccepted.TxnId, t.TxnId));
        Assert.All(tries, t => Assert.Equal(["m1"], Bodies(t.Pdus)));
        // Each wait is at least the configured minimum.
        var gaps = tries.Zip(tries.Skip(1).Append(firstAccepted), (a, b) => b.At - a.At).ToList();
        Assert.All(gaps, g => Assert.True(g >= FastRetry - TimeSpan.FromMilliseconds(20), $"retried after {g}"));
        var up = await IdleStatusAsync(hs, receiver);
        Assert.Equal((false, (string?)null, 0L), (up.BackingOff, up.PendingTxnId, up.QueuedPdus));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AfterARestartWhileTheReceiverIsDown_EverythingArrivesOnce(string engine)
    {
        await using var receiver = await TestFederationReceiver.StartAsync(_ca);
        var hs = await StartServerAsync(engine);
        var options = hs.Options;
        Expect(hs, receiver);
        var room = await NewRoomAsync(hs);
        await RemoteMembershipAsync(room, receiver, "r", "join");
        receiver.Status = HttpStatusCode.ServiceUnavailable;
        await room.Alice.SendTextAsync(room.RoomId, "m1");
        await receiver.WaitForTransactionsAsync(1);
        await room.Alice.SendTextAsync(room.RoomId, "m2");
        var pendingBefore = (await StatusAsync(hs, receiver))!.PendingTxnId;
        await hs.DisposeAsync();

        receiver.Status = HttpStatusCode.OK;
        await using var restarted = await TestHomeserver.StartAsync(options);
        var pdus = await receiver.WaitForPdusAsync(2);
        var client = restarted.NewClient(room.Alice.DefaultRequestHeaders.Authorization!.Parameter);
        await client.SendTextAsync(room.RoomId, "after");
        pdus = await receiver.WaitForPdusAsync(3);

        Assert.Equal(["m1", "m2", "after"], Bodies(pdus));
        Assert.Equal(pendingBefore, receiver.Transactions.First(t => t.Answer == HttpStatusCode.OK).TxnId);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task MoreThanFiftyQueuedEvents_GoInSeveralTransactions_OneInFlightAtATime(string engine)
    {
        await using var receiver = await TestFederationReceiver.StartAsync(_ca);
        await using var hs = await StartServerAsync(engine);
        Expect(hs, receiver);
        var room = await NewRoomAsync(hs);
        await RemoteMembershipAsync(room, receiver, "r", "join");
        receiver.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await room.Alice.SendTextAsync(room.RoomId, "m0");
        for (var i = 1; i <= 60; i++)
            await room.Alice.SendTextAsync(room.RoomId, $"m{i}");
        Assert.Equal(1, receiver.Arrivals);
        receiver.Hold.SetResult();
        var pdus = await receiver.WaitForPdusAsync(61);

        Assert.Equal(Enumerable.Range(0, 61).Select(i => $"m{i}"), Bodies(pdus));
        Assert.Equal([1, 50, 10], receiver.Transactions.Select(t => t.Pdus.Count));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AServerStopsReceiving_AfterItsMemberLeavesOrIsKicked_ButGetsTheKick(string engine)
    {
        await using var kicked = await TestFederationReceiver.StartAsync(_ca);
        await using var left = await TestFederationReceiver.StartAsync(_ca);
        await using var hs = await StartServerAsync(engine);
        Expect(hs, kicked);
        Expect(hs, left);
        var room = await NewRoomAsync(hs);
        await RemoteMembershipAsync(room, kicked, "k", "join");
        await RemoteMembershipAsync(room, left, "l", "join");
        await room.Alice.SendTextAsync(room.RoomId, "both");
        await kicked.WaitForPdusAsync(1);
        await left.WaitForPdusAsync(1);

        await RemoteMembershipAsync(room, left, "l", "leave");
        (await room.Alice.PostRoomAsync(room.RoomId, "kick", new { user_id = $"@k:{kicked.ServerName}" })).EnsureSuccessStatusCode();
        await room.Alice.SendTextAsync(room.RoomId, "after");
        var kickedGot = await kicked.WaitForPdusAsync(4);

        // The other remote server's membership events reach it too (they are not sent back to their own server only).
        Assert.Equal([$"join {left.ServerName}", "both", $"leave {left.ServerName}", $"leave {kicked.ServerName}"], kickedGot.Select(Describe));
        Assert.Equal(room.AliceId, kickedGot[3]["sender"]!.GetValue<string>());
        // Queued in the transaction that persists each event: had either server been a destination of "after", it
        // would still be queued or already received.
        foreach (var server in new[] { kicked, left })
        {
            var status = await IdleStatusAsync(hs, server);
            Assert.Equal((0L, (string?)null), (status.QueuedPdus, status.PendingTxnId));
        }
        Assert.Equal(["both"], Bodies(left.AcceptedPdus));
        Assert.Equal(4, kicked.AcceptedPdus.Count);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AnInvitedUsersServer_GetsNeitherTheInviteAgainNorTheRoomsEvents(string engine)
    {
        await using var invited = await TestFederationReceiver.StartAsync(_ca);
        await using var member = await TestFederationReceiver.StartAsync(_ca);
        await using var hs = await StartServerAsync(engine);
        Expect(hs, invited);
        Expect(hs, member);
        var room = await NewRoomAsync(hs);
        await RemoteMembershipAsync(room, member, "m", "join");

        // Inviting a remote user through the client API waits for federation's /invite; the event itself is built
        // and signed by our server as that invite would be.
        var invite = await new IngestEvents(hs).BuildAsync(room.RoomId, room.AliceId, EventTypes.Member, new JsonObject { ["membership"] = "invite" },
            [await LatestEventAsync(room)], stateKey: $"@i:{invited.ServerName}");
        await ReceiveFromAsync(hs, invite, hs.Options.ServerName);
        await room.Alice.SendTextAsync(room.RoomId, "members only");
        var memberGot = await member.WaitForPdusAsync(2);

        Assert.Equal([$"invite {invited.ServerName}", "members only"], memberGot.Select(Describe));
        // The invite reached its server through /invite, which signed it; that server holds no room to put it in (as Synapse).
        var status = await hs.Services.GetRequiredService<FederationDestinations>().GetAsync(invited.ServerName, CancellationToken.None);
        Assert.Equal(0L, status?.QueuedPdus ?? 0);
        Assert.Empty(invited.AcceptedPdus);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ABackedOffDestination_IsRetriedAtOnce_WhenItContactsUs(string engine)
    {
        await using var receiver = await TestFederationReceiver.StartAsync(_ca);
        await using var hs = await StartServerAsync(engine, minRetry: TimeSpan.FromMinutes(10));
        Expect(hs, receiver);
        var room = await NewRoomAsync(hs);
        await RemoteMembershipAsync(room, receiver, "r", "join");
        receiver.Status = HttpStatusCode.BadGateway;
        await room.Alice.SendTextAsync(room.RoomId, "m1");
        await receiver.WaitForTransactionsAsync(1);
        Assert.Equal(TimeSpan.FromMinutes(10).TotalMilliseconds, (await StatusWhenAsync(hs, receiver, s => s.BackingOff)).RetryIntervalMs);
        receiver.Status = HttpStatusCode.OK;

        // A forged request in the receiver's name is refused and wakes nothing.
        using var forged = SigningKey.Generate();
        Assert.Equal(HttpStatusCode.Unauthorized, await ProfileQueryAsync(hs, receiver.ServerName, forged, room.AliceId));
        Assert.True((await StatusAsync(hs, receiver))!.BackingOff);
        Assert.Equal(HttpStatusCode.OK, await ProfileQueryAsync(hs, receiver.ServerName, receiver.Key, room.AliceId));
        var pdus = await receiver.WaitForPdusAsync(1);

        Assert.Equal(["m1"], Bodies(pdus));
        Assert.Equal(2, receiver.Transactions.Count);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ATransactionRefusedWith4xx_IsDropped_AndTheQueueMovesOn(string engine)
    {
        await using var receiver = await TestFederationReceiver.StartAsync(_ca);
        await using var hs = await StartServerAsync(engine);
        Expect(hs, receiver);
        var room = await NewRoomAsync(hs);
        await RemoteMembershipAsync(room, receiver, "r", "join");
        receiver.Status = HttpStatusCode.BadRequest;
        await room.Alice.SendTextAsync(room.RoomId, "refused");
        await receiver.WaitForTransactionsAsync(1);
        receiver.Status = HttpStatusCode.OK;
        await room.Alice.SendTextAsync(room.RoomId, "next");
        var pdus = await receiver.WaitForPdusAsync(1);

        Assert.Equal(["next"], Bodies(pdus));
        Assert.Equal(2, receiver.Transactions.Count);
        Assert.NotEqual(receiver.Transactions[0].TxnId, receiver.Transactions[1].TxnId);
        Assert.False((await IdleStatusAsync(hs, receiver)).BackingOff);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task CatchUpAfterAnOutage_SendsEachRoomsNewestEvent_NotTheWholeBacklog(string engine)
    {
        await using var receiver = await TestFederationReceiver.StartAsync(_ca);
        await using var hs = await StartServerAsync(engine);
        Expect(hs, receiver);
        var room = await NewRoomAsync(hs);
        await RemoteMembershipAsync(room, receiver, "r", "join");
        receiver.Status = HttpStatusCode.InternalServerError;
        await room.Alice.SendTextAsync(room.RoomId, "m0");
        await receiver.WaitForTransactionsAsync(1);
        for (var i = 1; i <= 60; i++)
            await room.Alice.SendTextAsync(room.RoomId, $"m{i}");
        receiver.Status = HttpStatusCode.OK;
        var pdus = await receiver.WaitForPdusAsync(2);
        await room.Alice.SendTextAsync(room.RoomId, "live");
        pdus = await receiver.WaitForPdusAsync(3);

        // The transaction in flight when it went down, the newest of the backlog, then live traffic in full.
        Assert.Equal(["m0", "m60", "live"], Bodies(pdus));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task QueuedEdus_RideInTheNextTransaction(string engine)
    {
        await using var receiver = await TestFederationReceiver.StartAsync(_ca);
        await using var hs = await StartServerAsync(engine);
        Expect(hs, receiver);
        var edus = hs.Services.GetRequiredService<FederationEduQueue>();

        await edus.EnqueueAsync(receiver.ServerName, "m.typing", new JsonObject { ["room_id"] = "!r:x", ["user_id"] = "@a:x", ["typing"] = true }, default);
        await receiver.WaitForTransactionsAsync(1);

        var transaction = Assert.Single(receiver.Transactions);
        var edu = Assert.Single(transaction.Body["edus"]!.AsArray())!;
        Assert.Equal("m.typing", edu["edu_type"]!.GetValue<string>());
        Assert.True(edu["content"]!["typing"]!.GetValue<bool>());
        Assert.Empty(transaction.Pdus);
        Assert.True(transaction.SignedBySender);
    }

    private static async Task<HttpStatusCode> ProfileQueryAsync(TestHomeserver hs, string origin, SigningKey key, string userId)
    {
        var path = "/_matrix/federation/v1/query/profile?user_id=" + Uri.EscapeDataString(userId);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", XMatrixAuthorization.Create(key, origin, hs.Options.ServerName, "GET", path, null));
        using var response = await hs.Client.SendAsync(request);
        return response.StatusCode;
    }

    public void Dispose() => _ca.Dispose();
}
