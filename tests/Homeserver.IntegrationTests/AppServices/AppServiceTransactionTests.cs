using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.IntegrationTests.Push;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.AppServices;

/// <summary>
/// The homeserver pushing an application service its events (spec "Pushing events") and pinging it: a loopback test
/// double plays the bridge. Every event of interest arrives once and in order, authenticated with the hs_token; a
/// bridge that is down gets the same transaction again until it takes it, across a restart of the server too.
/// </summary>
public sealed class AppServiceTransactionTests
{
    private const string HsToken = "tx-hs-token-0123456789abcdef";
    private const string AsToken = "tx-as-token-0123456789abcdef";

    private static Task<LoopbackBridge> StartAsync(string engine) => LoopbackBridge.StartAsync(engine, AsToken, HsToken, """
        id: txbridge
        sender_localpart: txbot
        namespaces:
          users:
            - exclusive: true
              regex: '@_tx_.*'
        """);

    /// <summary>A room of a client user that a user of the bridge has joined; the client is returned to send in it.</summary>
    private static async Task<(HttpClient Client, string RoomId)> BridgedRoomAsync(LoopbackBridge b)
    {
        var (_, client) = await b.Hs.RegisterClientAsync();
        var roomId = await client.CreateRoomAsync(new { preset = "public_chat" });
        var alice = "_tx_alice" + Guid.NewGuid().ToString("N")[..6];
        await (await b.AsClient.PostAsJsonAsync("/_matrix/client/v3/register", new { type = "m.login.application_service", username = alice, inhibit_login = true })).AssertOkAsync();
        await (await b.AsClient.PostAsJsonAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?user_id={Uri.EscapeDataString($"@{alice}:{TestHomeserver.ServerName}")}", new { }))
            .AssertOkAsync();
        return (client, roomId);
    }

    private static IEnumerable<string> Bodies(FakePushEndpoint.Received r) =>
        JsonDocument.Parse(r.Body).RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "m.room.message")
            .Select(e => e.GetProperty("content").GetProperty("body").GetString()!);

    private static List<string> EventIds(FakePushEndpoint.Received r) =>
        JsonDocument.Parse(r.Body).RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event_id").GetString()!).ToList();

    private static long TxnId(FakePushEndpoint.Received r)
    {
        const string prefix = "/_matrix/app/v1/transactions/";
        Assert.StartsWith(prefix, r.Path);
        return long.Parse(r.Path[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Transactions the double answered 2xx, in arrival order, until one holds <paramref name="last"/>.</summary>
    private static async Task<List<FakePushEndpoint.Received>> AcceptedUntilAsync(FakePushEndpoint @double, string last)
    {
        var accepted = new List<FakePushEndpoint.Received>();
        while (!accepted.SelectMany(Bodies).Contains(last))
        {
            var r = await @double.NextAsync(TimeSpan.FromSeconds(30));
            if (r.Path.StartsWith("/_matrix/app/v1/transactions/", StringComparison.Ordinal) && r.AnsweredStatus == 200)
                accepted.Add(r);
        }
        return accepted;
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EventsOfInterest_ArriveOnceInOrder_WithTheHsToken_AndOthersDoNot(string engine)
    {
        await using var b = await StartAsync(engine);
        var (client, roomId) = await BridgedRoomAsync(b);
        var elsewhere = await client.CreateRoomAsync(new { preset = "private_chat" });
        await client.SendTextAsync(elsewhere, "not for the bridge");
        foreach (var body in new[] { "m1", "m2", "m3" })
            await client.SendTextAsync(roomId, body);

        var accepted = await AcceptedUntilAsync(b.Double, "m3");
        Assert.All(accepted, r => Assert.Equal($"Bearer {HsToken}", r.Headers.Authorization.ToString()));
        var ids = accepted.Select(TxnId).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(["m1", "m2", "m3"], accepted.SelectMany(Bodies).ToList());
        var joined = accepted.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("events").EnumerateArray())
            .Where(e => e.GetProperty("type").GetString() == "m.room.member").ToList();
        Assert.Contains(joined, e => e.GetProperty("room_id").GetString() == roomId && e.GetProperty("state_key").GetString()!.StartsWith("@_tx_alice", StringComparison.Ordinal));
        await b.Double.AssertQuietAsync(TimeSpan.FromMilliseconds(300));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ABridgeThatIsDown_GetsTheSameTransactionAgain_ThenEveryEventOnceInOrder(string engine)
    {
        await using var b = await StartAsync(engine);
        var (client, roomId) = await BridgedRoomAsync(b);
        await client.SendTextAsync(roomId, "warm-up");
        await AcceptedUntilAsync(b.Double, "warm-up");

        b.Double.Answer = () => (500, "{}");
        await client.SendTextAsync(roomId, "during-1");
        var first = await b.Double.NextAsync(TimeSpan.FromSeconds(30));
        var retry = await b.Double.NextAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(500, first.AnsweredStatus);
        Assert.Equal(first.Path, retry.Path);
        Assert.Equal(EventIds(first), EventIds(retry));
        await client.SendTextAsync(roomId, "during-2");

        b.Double.Answer = () => (200, "{}");
        var accepted = await AcceptedUntilAsync(b.Double, "during-2");
        Assert.Equal(first.Path, accepted[0].Path);
        Assert.Equal(["during-1", "during-2"], accepted.SelectMany(Bodies).ToList());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ATransactionInFlightAtARestart_IsSentAgainTheSame_AfterIt(string engine)
    {
        var b = await StartAsync(engine);
        try
        {
            var (client, roomId) = await BridgedRoomAsync(b);
            await client.SendTextAsync(roomId, "before");
            await AcceptedUntilAsync(b.Double, "before");
            b.Double.Answer = () => (500, "{}");
            await client.SendTextAsync(roomId, "in-flight");
            var failed = await b.Double.NextAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(["in-flight"], Bodies(failed).ToList());
            await b.Hs.DisposeAsync();

            b.Double.Answer = () => (200, "{}");
            var restarted = await TestHomeserver.StartAsync(b.Options);
            b = b with { Hs = restarted };
            var again = (await AcceptedUntilAsync(b.Double, "in-flight"))[^1];
            Assert.Equal(failed.Path, again.Path);
            Assert.Equal(EventIds(failed), EventIds(again));

            var sameClient = restarted.NewClient(client.DefaultRequestHeaders.Authorization!.Parameter);
            await sameClient.SendTextAsync(roomId, "after");
            var after = await AcceptedUntilAsync(b.Double, "after");
            Assert.True(TxnId(after[^1]) > TxnId(again));
            Assert.Equal(["after"], after.SelectMany(Bodies).ToList());
        }
        finally
        {
            await b.DisposeAsync();
        }
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task APing_ReachesTheBridgeWithTheTransactionId_AndItsFailuresAreNamed(string engine)
    {
        var b = await StartAsync(engine);
        await using var hs = b.Hs;
        var ping = "/_matrix/client/v1/appservice/txbridge/ping";
        await using (var @double = b.Double)
        {
            var ok = await (await b.AsClient.PostAsJsonAsync(ping, new { transaction_id = "ping-1" })).AssertOkAsync();
            Assert.True(ok.GetProperty("duration_ms").GetInt64() >= 0);
            var seen = await @double.NextAsync();
            Assert.Equal("/_matrix/app/v1/ping", seen.Path);
            Assert.Equal($"Bearer {HsToken}", seen.Headers.Authorization.ToString());
            Assert.Equal("ping-1", JsonDocument.Parse(seen.Body).RootElement.GetProperty("transaction_id").GetString());

            @double.Answer = () => (401, "{\"errcode\":\"M_FORBIDDEN\"}");
            var bad = await (await b.AsClient.PostAsJsonAsync(ping, new { })).AssertErrorAsync(HttpStatusCode.BadGateway, "M_BAD_STATUS");
            Assert.Equal(401, bad.GetProperty("status").GetInt32());

            await (await b.AsClient.PostAsJsonAsync("/_matrix/client/v1/appservice/other/ping", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
            var (_, user) = await hs.RegisterClientAsync();
            await (await user.PostAsJsonAsync(ping, new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        }
        // The bridge is gone: nothing listens on its port any more.
        await (await b.AsClient.PostAsJsonAsync(ping, new { })).AssertErrorAsync(HttpStatusCode.BadGateway, "M_CONNECTION_FAILED");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AnAdmin_SeesEachQueue_ItsPendingTransactionAndLastError_AndNoOneElseDoes(string engine)
    {
        await using var b = await StartAsync(engine);
        var (_, admin) = await b.Hs.RegisterAdminAsync();
        const string path = "/_synapse/admin/v1/appservices";

        var (client, roomId) = await BridgedRoomAsync(b);
        // The room's earlier events are taken first, so the failing transaction is the next one and holds "stuck" alone.
        await client.SendTextAsync(roomId, "settled");
        await AcceptedUntilAsync(b.Double, "settled");
        b.Double.Answer = () => (500, "{}");
        await client.SendTextAsync(roomId, "stuck");
        Assert.Equal(500, (await b.Double.NextAsync(TimeSpan.FromSeconds(30))).AnsweredStatus);
        // The server records the failure once it has read the answer, which may be just after the double gave it.
        var recordedBy = DateTime.UtcNow.AddSeconds(10);
        JsonElement down;
        while (!(down = (await (await admin.GetAsync(path)).AssertOkAsync()).GetProperty("appservices").EnumerateArray().Single()).TryGetProperty("last_error", out _))
        {
            Assert.True(DateTime.UtcNow < recordedBy, "the failed transaction was not recorded");
            await Task.Delay(100);
        }
        Assert.Equal("txbridge", down.GetProperty("id").GetString());
        Assert.Equal($"http://127.0.0.1:{b.Double.Port}/", down.GetProperty("url").GetString());
        Assert.Equal("status 500", down.GetProperty("last_error").GetString());
        Assert.True(down.GetProperty("pending_txn_id").GetInt64() > 0);
        Assert.Equal(1, down.GetProperty("pending_events").GetInt32());

        b.Double.Answer = () => (200, "{}");
        await AcceptedUntilAsync(b.Double, "stuck");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement up;
        // Empty fields are left out of the answer, as everywhere in the server's JSON.
        while ((up = (await (await admin.GetAsync(path)).AssertOkAsync()).GetProperty("appservices")[0]).TryGetProperty("pending_txn_id", out _))
        {
            Assert.True(DateTime.UtcNow < deadline, "the taken transaction stayed pending");
            await Task.Delay(100);
        }
        Assert.False(up.TryGetProperty("last_error", out _));
        Assert.True(up.GetProperty("last_success_ts").GetInt64() >= up.GetProperty("last_failure_ts").GetInt64());

        await (await client.GetAsync(path)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await b.Hs.Client.GetAsync(path)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }
}
