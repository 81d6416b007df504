using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using static Homeserver.Testing.Federation.RemotePduFactory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Server B of ours pushes transactions to server A (<c>PUT /_matrix/federation/v1/send/{txnId}</c>) in a public room
/// that a user of A created: B's user joins as a server propagates a join, then writes, forges and replays.
/// </summary>
public sealed class InboundTransactionTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    private sealed record Setup(TestHomeserver A, TestHomeserver B, RemotePduFactory FromB, HttpClient Alice, RoomId Room, UserId Bob) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }

    /// <summary>A public room on A with alice, and bob of B joined to it through a transaction.</summary>
    private async Task<Setup> StartAsync(string engine, Action<WebApplicationBuilder>? configureB = null)
    {
        var a = await FederationTestServers.StartAsync(engine, _ca);
        var b = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: configureB);
        var (_, alice) = await a.RegisterClientAsync();
        var room = RoomId.Parse(await alice.CreateRoomAsync(new { preset = "public_chat" }));
        var fromB = new RemotePduFactory(a, b);
        var bob = fromB.User("bob");
        var join = await fromB.JoinAsync(room, bob);
        AssertAccepted(await fromB.SendAsync("join", join), join);
        return new Setup(a, b, fromB, alice, room, bob);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RemoteJoinAndMessage_ReachTheLocalUser_InSyncAndMessages(string engine)
    {
        await using var s = await StartAsync(engine);
        var members = await (await s.Alice.GetRoomAsync(s.Room.ToString(), "joined_members")).AssertOkAsync();
        Assert.True(members.GetProperty("joined").TryGetProperty(s.Bob.ToString(), out _));

        var message = await s.FromB.MessageAsync(s.Room, s.Bob, "hello from B");
        AssertAccepted(await s.FromB.SendAsync("m1", message), message);

        var timeline = (await (await s.Alice.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync())
            .GetProperty("rooms").GetProperty("join").GetProperty(s.Room.ToString()).GetProperty("timeline").GetProperty("events").EnumerateArray().ToList();
        var synced = Assert.Single(timeline, e => e.GetProperty("event_id").GetString() == message.EventId.ToString());
        Assert.Equal(s.Bob.ToString(), synced.GetProperty("sender").GetString());
        Assert.Equal("hello from B", synced.GetProperty("content").GetProperty("body").GetString());
        Assert.Contains("hello from B", (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ReplayedTransaction_GetsTheSameAnswer_AndAppliesNothingTwice_EvenAfterARestart(string engine)
    {
        var s = await StartAsync(engine);
        var a = s.A;
        try
        {
            var first = await s.FromB.MessageAsync(s.Room, s.Bob, "once");
            var sent = s.FromB.Transaction([first.Json]);
            var answer = await s.FromB.PutAsync("t1", sent);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var replay = await s.FromB.PutAsync("t1", sent);
            Assert.Equal(answer.Body, replay.Body);

            // The same transaction ID with other content is answered from the record: its new event is not applied.
            var sneaked = await s.FromB.MessageAsync(s.Room, s.Bob, "sneaked in");
            Assert.Equal(answer.Body, (await s.FromB.PutAsync("t1", s.FromB.Transaction([sneaked.Json]))).Body);

            // Both copies of a transaction sent at once get one answer, and its event is stored once.
            var concurrent = await s.FromB.MessageAsync(s.Room, s.Bob, "concurrent");
            var body = s.FromB.Transaction([concurrent.Json]);
            var both = await Task.WhenAll(s.FromB.PutAsync("t2", body), s.FromB.PutAsync("t2", body));
            AssertAccepted(RemotePduFactory.ResultsOf(both[0]), concurrent);
            Assert.Equal(both[0].Body, both[1].Body);

            await a.DisposeAsync();
            a = await TestHomeserver.StartAsync(s.A.Options);
            var fromB = new RemotePduFactory(a, s.B);
            Assert.Equal(answer.Body, (await fromB.PutAsync("t1", fromB.Transaction([sneaked.Json]))).Body);

            var alice = a.NewClient(s.Alice.DefaultRequestHeaders.Authorization!.Parameter);
            var bodies = (await alice.MessagesAsync(s.Room.ToString())).Bodies().ToList();
            Assert.Single(bodies, b => b == "once");
            Assert.Single(bodies, b => b == "concurrent");
            Assert.DoesNotContain("sneaked in", bodies);
        }
        finally
        {
            await s.B.DisposeAsync();
            await a.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ForgedSignature_IsRefused_AndBadContentHash_GoesOnRedacted(string engine)
    {
        await using var s = await StartAsync(engine);
        using var forgedKey = SigningKey.FromSeed(s.FromB.Key.Version, RandomNumberGenerator.GetBytes(32));
        var forged = await s.FromB.BuildAsync(s.Room, s.Bob, "m.room.message", null, Text("forged"), key: forgedKey);
        var tampered = (JsonObject)(await s.FromB.MessageAsync(s.Room, s.Bob, "original")).Json.DeepClone();
        tampered["content"]!["body"] = "tampered";
        var tamperedPdu = Pdu.FromJson((JsonObject)tampered.DeepClone(), forged.RoomVersion);

        var results = RemotePduFactory.ResultsOf(await s.FromB.PutAsync("t", s.FromB.Transaction([forged.Json, tampered])));

        Assert.Contains("bad signature", Error(results, forged));
        AssertAccepted(results, tamperedPdu);
        var chunk = await s.Alice.MessagesAsync(s.Room.ToString());
        var redacted = Assert.Single(chunk, e => e.GetProperty("event_id").GetString() == tamperedPdu.EventId.ToString());
        Assert.Empty(redacted.GetProperty("content").EnumerateObject());
        Assert.DoesNotContain(chunk, e => e.GetProperty("event_id").GetString() == forged.EventId.ToString());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PduOfAnotherServer_NotSignedByTheOrigin_AndPduOfAnUnknownRoom_FailAlone(string engine)
    {
        await using var s = await StartAsync(engine);
        var carol = UserId.Parse("@carol:elsewhere.test");
        using var elsewhereKey = SigningKey.Generate();
        var relayed = await s.FromB.BuildAsync(s.Room, carol, "m.room.message", null, Text("relayed"), key: elsewhereKey);
        var unknownRoom = (JsonObject)(await s.FromB.MessageAsync(s.Room, s.Bob, "lost")).Json.DeepClone();
        unknownRoom["room_id"] = "!nowhere:elsewhere.test";
        var good = await s.FromB.MessageAsync(s.Room, s.Bob, "fine");

        var results = RemotePduFactory.ResultsOf(await s.FromB.PutAsync("t", s.FromB.Transaction([relayed.Json, unknownRoom, good.Json])));

        Assert.Equal(3, results.Count);
        Assert.Contains("has not signed it", Error(results, relayed));
        Assert.Contains(results, r => r.Value!["error"]?.GetValue<string>().Contains("!nowhere:elsewhere.test is not known", StringComparison.Ordinal) == true);
        AssertAccepted(results, good);
        var bodies = (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies().ToList();
        Assert.Contains("fine", bodies);
        Assert.DoesNotContain("relayed", bodies);
        Assert.DoesNotContain("lost", bodies);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task JoinOfAnotherServersUser_PassedOnByTheServerItJoinedThrough_IsAcceptedUnsigned(string engine)
    {
        await using var s = await StartAsync(engine);
        await using var c = await FederationTestServers.StartAsync(engine, _ca);
        var fromC = new RemotePduFactory(s.A, c);
        var carol = fromC.User("carol");
        // B made Carol's join through its send_join and passes it on, as Synapse does: C's signature only.
        var join = await fromC.JoinAsync(s.Room, carol);
        var passedOn = RemotePduFactory.ResultsOf(await s.FromB.PutAsync("passed-on", s.FromB.Transaction([join.Json])));

        AssertAccepted(passedOn, join);
        var members = await (await s.Alice.GetRoomAsync(s.Room.ToString(), "members")).AssertOkAsync();
        Assert.Contains(members.GetProperty("chunk").EnumerateArray(), m => m.GetProperty("state_key").GetString() == carol.ToString()
            && m.GetProperty("content").GetProperty("membership").GetString() == "join");
        // A message of hers passed on the same way is still refused: only handshake memberships travel unsigned.
        var message = await fromC.MessageAsync(s.Room, carol, "passed on without consent");
        Assert.Contains("has not signed it", Error(RemotePduFactory.ResultsOf(await s.FromB.PutAsync("passed-on-2", s.FromB.Transaction([message.Json]))), message));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PduOfAnotherServer_CountersignedByTheOrigin_IsAccepted(string engine)
    {
        await using var s = await StartAsync(engine);
        await using var c = await FederationTestServers.StartAsync(engine, _ca);
        var fromC = new RemotePduFactory(s.A, c);
        var carol = fromC.User("carol");
        var join = await fromC.JoinAsync(s.Room, carol);
        AssertAccepted(await fromC.SendAsync("join", join), join);

        // C's event relayed by B: B must add its own signature for A to take it from B.
        var message = await fromC.MessageAsync(s.Room, carol, "relayed with consent");
        var countersigned = (JsonObject)message.Json.DeepClone();
        EventSigner.Sign(countersigned, message.RoomVersion, s.FromB.ServerName, s.FromB.Key);
        var relayed = RemotePduFactory.ResultsOf(await s.FromB.PutAsync("relay", s.FromB.Transaction([countersigned])));

        AssertAccepted(relayed, message);
        Assert.Contains("relayed with consent", (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EventOfANonMember_IsRejected_AndEventsCitingItAsAuthEvent_AreRejected(string engine)
    {
        await using var s = await StartAsync(engine);
        var mallory = s.FromB.User("mallory");
        var intruding = await s.FromB.MessageAsync(s.Room, mallory, "intruding");
        // As Synapse answers: the event was processed (and rejected), so its answer carries no error.
        AssertAccepted(await s.FromB.SendAsync("t1", intruding), intruding);

        // Bob may write, but not on the authority of a rejected event; and so on down the chain.
        var allowed = await s.FromB.MessageAsync(s.Room, s.Bob, "probe");
        var citing = await s.FromB.MessageAsync(s.Room, s.Bob, "citing", [.. allowed.AuthEvents, intruding.EventId]);
        var citingCiting = await s.FromB.MessageAsync(s.Room, s.Bob, "citing the citing", [.. allowed.AuthEvents, citing.EventId]);
        var results = await s.FromB.SendAsync("t2", citing, citingCiting);
        AssertAccepted(results, citing);
        AssertAccepted(results, citingCiting);

        // The rejection is remembered: the event sent again is answered the same without a new check.
        AssertAccepted(await s.FromB.SendAsync("t3", intruding), intruding);
        var bodies = (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies().ToList();
        Assert.DoesNotContain("intruding", bodies);
        Assert.DoesNotContain("citing", bodies);
        foreach (var rejected in new[] { intruding, citing, citingCiting })
            Assert.Equal(HttpStatusCode.NotFound, (await s.FromB.GetAsync($"/_matrix/federation/v1/event/{Uri.EscapeDataString(rejected.EventId.ToString())}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EventBuiltOnARejectedEvent_IsAccepted_OnTheStateBeforeTheRejectedOne(string engine)
    {
        await using var s = await StartAsync(engine);
        var room = s.Room.ToString();
        // Bob has no power to change the join rules: the change is rejected, and B builds on it before learning so.
        var rejected = await s.FromB.BuildAsync(s.Room, s.Bob, "m.room.join_rules", "", new JsonObject { ["join_rule"] = "invite" });
        AssertAccepted(await s.FromB.SendAsync("rejected", rejected), rejected);
        var after = await s.FromB.BuildAsync(s.Room, s.Bob, "m.room.message", null, Text("after the rejected"),
            prevEvents: [rejected.EventId], depth: rejected.Depth + 1);
        AssertAccepted(await s.FromB.SendAsync("after", after), after);

        Assert.Contains("after the rejected", (await s.Alice.MessagesAsync(room)).Bodies());
        var rules = await (await s.Alice.GetAsync($"/_matrix/client/v3/rooms/{room}/state/m.room.join_rules")).AssertOkAsync();
        Assert.Equal("public", rules.GetProperty("join_rule").GetString());
        // The event covers what the rejected one was built on: the room has one forward extremity again.
        var extremities = await s.A.Services.GetRequiredService<RoomStore>().ForwardExtremitiesAsync(room, CancellationToken.None);
        Assert.Equal([after.EventId.ToString()], extremities.Select(e => e.EventId));
        var stateIds = await s.FromB.GetAsync($"/_matrix/federation/v1/state_ids/{Uri.EscapeDataString(room)}?event_id={Uri.EscapeDataString(rejected.EventId.ToString())}");
        Assert.Equal(HttpStatusCode.NotFound, stateIds.StatusCode);
        Assert.Equal("M_NOT_FOUND", JsonNode.Parse(stateIds.Body)!["errcode"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PduWithUnknownPrevEvents_TheOriginCannotSupply_IsRefused_NotGuessed(string engine)
    {
        await using var s = await StartAsync(engine);
        // A parent A never saw: B writes it but does not send it, and B does not serve get_missing_events.
        var unseen = await s.FromB.MessageAsync(s.Room, s.Bob, "unseen");
        var child = await s.FromB.BuildAsync(s.Room, s.Bob, "m.room.message", null, Text("child"), prevEvents: [unseen.EventId]);

        Assert.Contains($"names prev events ({unseen.EventId}) that {s.FromB.ServerName} did not provide through get_missing_events", Error(await s.FromB.SendAsync("t", child), child));
        Assert.DoesNotContain("child", (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies());
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PduWithUnknownPrevEvents_IsPrecededByWhatTheOriginSupplies_ParentsFirst(string engine)
    {
        var stub = new FederationAnswerStub();
        await using var s = await StartAsync(engine, b => b.Services.AddSingleton<IStartupFilter>(stub));
        var extremities = await s.A.Services.GetRequiredService<RoomStore>().ForwardExtremitiesAsync(s.Room.ToString(), CancellationToken.None);
        var first = await s.FromB.MessageAsync(s.Room, s.Bob, "gap 1");
        var second = await s.FromB.BuildAsync(s.Room, s.Bob, "m.room.message", null, Text("gap 2"), prevEvents: [first.EventId], depth: first.Depth + 1);
        var tip = await s.FromB.BuildAsync(s.Room, s.Bob, "m.room.message", null, Text("tip"), prevEvents: [second.EventId], depth: first.Depth + 2);
        // Newest first, as a server walking back from the latest event would list them.
        stub.Answer(GetMissingEvents, _ => new JsonObject { ["events"] = new JsonArray(second.Json.DeepClone(), first.Json.DeepClone()) });

        AssertAccepted(await s.FromB.SendAsync("t", tip), tip);

        var asked = Assert.Single(stub.RequestsTo(GetMissingEvents)).Body!;
        Assert.Equal([tip.EventId.ToString()], asked["latest_events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(extremities.Select(e => e.EventId).Order(StringComparer.Ordinal),
            asked["earliest_events"]!.AsArray().Select(e => e!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(10, asked["limit"]!.GetValue<int>());
        Assert.Equal(1, asked["min_depth"]!.GetValue<long>());
        var bodies = (await s.Alice.MessagesAsync(s.Room.ToString(), "dir=b&limit=3")).Bodies().ToList();
        Assert.Equal(["tip", "gap 2", "gap 1"], bodies);
    }

    private const string GetMissingEvents = "/_matrix/federation/v1/get_missing_events";

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OversizeOrMalformedTransactions_AndAForeignOrigin_AreRefusedWhole(string engine)
    {
        await using var s = await StartAsync(engine);
        var pdus = new List<Pdu>();
        for (var i = 0; i < 51; i++)
            pdus.Add(await s.FromB.MessageAsync(s.Room, s.Bob, $"bulk {i}"));
        var messages = pdus.Select(p => p.Json).ToList();
        await AssertRefusedAsync(s.FromB.PutAsync("many", s.FromB.Transaction(messages)), 400, "M_TOO_LARGE");

        var edus = s.FromB.Transaction([messages[0]]);
        edus["edus"] = new JsonArray(Enumerable.Range(0, 101).Select(_ => (JsonNode)new JsonObject { ["edu_type"] = "m.typing", ["content"] = new JsonObject() }).ToArray());
        await AssertRefusedAsync(s.FromB.PutAsync("edus", edus), 400, "M_TOO_LARGE");

        var malformed = s.FromB.Transaction([]);
        malformed["pdus"] = "not a list";
        await AssertRefusedAsync(s.FromB.PutAsync("malformed", malformed), 400, "M_BAD_JSON");

        await AssertRefusedAsync(s.FromB.PutAsync("foreign", s.FromB.Transaction([messages[0]], origin: "elsewhere.test")), 403, "M_FORBIDDEN");
        Assert.DoesNotContain((await s.Alice.MessagesAsync(s.Room.ToString())).Bodies(), b => b.StartsWith("bulk", StringComparison.Ordinal));

        // Refusals are not recorded as answers: the same transaction ID, well formed, is processed.
        AssertAccepted(await s.FromB.SendAsync("many", pdus[0]), pdus[0]);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task EdusAreAcceptedBesidePdus_AndAnUnsignedRequestIsRefused(string engine)
    {
        await using var s = await StartAsync(engine);
        var message = await s.FromB.MessageAsync(s.Room, s.Bob, "with edus");
        var body = s.FromB.Transaction([message.Json]);
        body["edus"] = new JsonArray(
            new JsonObject { ["edu_type"] = "m.typing", ["content"] = new JsonObject { ["room_id"] = s.Room.ToString(), ["user_id"] = s.Bob.ToString(), ["typing"] = true } },
            new JsonObject { ["edu_type"] = "org.example.unknown", ["content"] = new JsonObject() });
        AssertAccepted(RemotePduFactory.ResultsOf(await s.FromB.PutAsync("e", body)), message);

        using var unsigned = await s.A.Client.PutAsJsonAsync("/_matrix/federation/v1/send/u", JsonSerializer.Deserialize<JsonElement>(body.ToJsonString()));
        await unsigned.AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNAUTHORIZED");
        Assert.Single((await s.Alice.MessagesAsync(s.Room.ToString())).Bodies(), b => b == "with edus");
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ServerAclDenyingTheOrigin_RefusesItsPdus_UntilLifted(string engine)
    {
        await using var s = await StartAsync(engine);
        var room = s.Room.ToString();
        var aclPath = $"/_matrix/client/v3/rooms/{room}/state/m.room.server_acl";
        await (await s.Alice.PutAsJsonAsync(aclPath, new { allow = new[] { "*" }, deny = new[] { s.FromB.ServerName.Split(':')[0] }, allow_ip_literals = false })).AssertOkAsync();

        var denied = await s.FromB.MessageAsync(s.Room, s.Bob, "while denied");
        Assert.Contains("server ACL", Error(await s.FromB.SendAsync("acl-1", denied), denied), StringComparison.Ordinal);
        Assert.DoesNotContain("while denied", (await s.Alice.MessagesAsync(room)).Bodies());

        await (await s.Alice.PutAsJsonAsync(aclPath, new { allow = new[] { "*" } })).AssertOkAsync();
        var allowed = await s.FromB.MessageAsync(s.Room, s.Bob, "allowed again");
        AssertAccepted(await s.FromB.SendAsync("acl-2", allowed), allowed);
        Assert.Contains("allowed again", (await s.Alice.MessagesAsync(room)).Bodies());
    }

    private static JsonObject Text(string body) => new() { ["msgtype"] = "m.text", ["body"] = body };



    private static async Task AssertRefusedAsync(Task<Homeserver.Core.Outbound.OutboundResponse> sending, int status, string errcode)
    {
        var response = await sending;
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(errcode, JsonNode.Parse(response.Body)!["errcode"]!.GetValue<string>());
    }

    public void Dispose() => _ca.Dispose();
}
