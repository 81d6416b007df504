using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Homeserver.Testing.Federation.RemotePduFactory;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Server B of ours pushes to server A an event after a gap that <c>get_missing_events</c> does not close (B answers it
/// with the gap's last event only, whose own prev event stays missing); the gap holds a power level change. B answers
/// <c>/state_ids</c> and <c>/event</c> as each test scripts it, so A takes the state at the gap from B for the event it
/// brought, as Synapse does; a pushed event whose own prev events stay missing is refused.
/// </summary>
public sealed class InboundGapStateTests : IDisposable
{
    private const string Federation = "/_matrix/federation/v1";

    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    private sealed record Setup(TestHomeserver A, TestHomeserver B, FederationAnswerStub Stub, RemotePduFactory FromB, HttpClient Alice,
        HttpClient Carol, RoomId Room, Pdu PowerChange, Pdu LastMissing, Pdu Brought, Pdu AfterGap, Dictionary<StateEventKey, string> StateAtGap) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }

        /// <summary>B answers <c>get_missing_events</c> with these events.</summary>
        public void Bring(params Pdu[] brought) =>
            Stub.Answer($"{Federation}/get_missing_events", _ => new JsonObject { ["events"] = new JsonArray(brought.Select(e => (JsonNode)e.Json.DeepClone()).ToArray()) });

        /// <summary>B serves the state at the gap's last missing event, and these events by ID.</summary>
        public void Serve(IReadOnlyCollection<string> stateIds, params Pdu[] served)
        {
            Stub.Answer($"{Federation}/state_ids", _ => new JsonObject
            {
                ["pdu_ids"] = new JsonArray(stateIds.Select(id => (JsonNode)id).ToArray()),
                ["auth_chain_ids"] = new JsonArray(),
            });
            Stub.Answer($"{Federation}/event", request =>
            {
                var id = request.Path.Value!.Split('/')[^1];
                var pdus = served.Where(e => e.EventId.ToString() == id).Select(e => (JsonNode)e.Json.DeepClone()).ToArray();
                return new JsonObject { ["origin"] = FromB.ServerName, ["origin_server_ts"] = 0, ["pdus"] = new JsonArray(pdus) };
            });
        }
    }

    /// <summary>
    /// A public room on A where bob of B has power 100 and carol of A is a member; B writes a power level change that
    /// gives every member 50, two messages after it, and the event after the gap, and sends only that last one, giving
    /// the message before it through <c>get_missing_events</c>.
    /// </summary>
    private async Task<Setup> StartAsync(string engine)
    {
        var stub = new FederationAnswerStub();
        var a = await FederationTestServers.StartAsync(engine, _ca);
        var b = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: builder => builder.Services.AddSingleton<IStartupFilter>(stub));
        var fromB = new RemotePduFactory(a, b);
        var bob = fromB.User("bob");
        var (_, alice) = await a.RegisterClientAsync();
        var room = RoomId.Parse(await alice.CreateRoomAsync(new
        {
            preset = "public_chat", power_level_content_override = new Dictionary<string, object> { ["users"] = new Dictionary<string, int> { [bob.ToString()] = 100 } },
        }));
        var (_, carol) = await a.RegisterClientAsync();
        await carol.JoinAsync(room.ToString());
        var join = await fromB.JoinAsync(room, bob);
        AssertAccepted(await fromB.SendAsync("join", join), join);

        var powerLevels = (await (await alice.GetRoomAsync(room.ToString(), "state/m.room.power_levels")).Content.ReadFromJsonAsync<JsonObject>())!;
        powerLevels["users_default"] = 50;
        var powerChange = await fromB.BuildAsync(room, bob, EventTypes.PowerLevels, "", powerLevels);
        var second = await fromB.BuildAsync(room, bob, "m.room.message", null, Text("gap 2"), prevEvents: [powerChange.EventId], depth: powerChange.Depth + 1);
        var third = await fromB.BuildAsync(room, bob, "m.room.message", null, Text("gap 3"), prevEvents: [second.EventId], depth: powerChange.Depth + 2);
        var after = await fromB.BuildAsync(room, bob, "m.room.message", null, Text("after the gap"), prevEvents: [third.EventId], depth: powerChange.Depth + 3);
        var state = await a.Services.GetRequiredService<CurrentStateStore>().GetStateAsync(room.ToString(), default);
        var atGap = state.ToDictionary();
        atGap[new StateEventKey(EventTypes.PowerLevels, "")] = powerChange.EventId.ToString();
        var setup = new Setup(a, b, stub, fromB, alice, carol, room, powerChange, second, third, after, atGap);
        setup.Bring(third);
        return setup;
    }

    private static JsonObject Text(string body) => new() { ["msgtype"] = "m.text", ["body"] = body };

    private static Task<HttpResponseMessage> SetTopicAsync(HttpClient client, RoomId room, string topic) =>
        client.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(room.ToString())}/state/m.room.topic", new { topic });

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GapThatGetMissingEventsCannotClose_IsCrossedWithTheStateFromStateIds_AndAPowerChangeInItTakesEffect(string engine)
    {
        await using var s = await StartAsync(engine);
        s.Serve(s.StateAtGap.Values, s.PowerChange, s.LastMissing);
        using (var before = await SetTopicAsync(s.Carol, s.Room, "too early"))
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);

        AssertAccepted(await s.FromB.SendAsync("t", s.AfterGap), s.AfterGap);

        var asked = Assert.Single(s.Stub.RequestsTo($"{Federation}/state_ids"));
        Assert.Equal($"{Federation}/state_ids/{s.Room}?event_id={Uri.EscapeDataString(s.LastMissing.EventId.ToString())}", asked.Target);
        // The missing events stay missing: the event B brought joins the timeline with a gap before it.
        var bodies = (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies().ToList();
        Assert.Contains("after the gap", bodies);
        Assert.Contains("gap 3", bodies);
        Assert.DoesNotContain("gap 2", bodies);
        // A's next event joins both branches; the power change from the gap wins the resolution and becomes current.
        await s.Alice.SendTextAsync(s.Room.ToString(), "joining the branches");
        using var after = await SetTopicAsync(s.Carol, s.Room, "allowed now");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AStateEventTheRulesReject_IsLeftOutOfTheStateAtTheGap_NotAReasonToRefuseTheEvent(string engine)
    {
        await using var s = await StartAsync(engine);
        // A user of B who never joined names a topic: validly signed, but its own auth events do not allow it.
        var stranger = s.FromB.User("stranger");
        var strangersTopic = await s.FromB.BuildAsync(s.Room, stranger, "m.room.topic", "", new JsonObject { ["topic"] = "taken over" });
        var stateAtGap = s.StateAtGap.ToDictionary();
        stateAtGap[new StateEventKey("m.room.topic", "")] = strangersTopic.EventId.ToString();
        s.Serve(stateAtGap.Values, s.PowerChange, s.LastMissing, strangersTopic);

        AssertAccepted(await s.FromB.SendAsync("t", s.AfterGap), s.AfterGap);

        Assert.Contains("after the gap", (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies());
        await s.Alice.SendTextAsync(s.Room.ToString(), "joining the branches");
        // The room never had a topic, and the stranger's did not become one.
        await (await s.Alice.GetRoomAsync(s.Room.ToString(), "state/m.room.topic")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task HostileStateAnswers_TooManyIds_AForgedStateEvent_OrNoCreateEvent_AreRefusedWithoutHarm(string engine)
    {
        await using var s = await StartAsync(engine);
        s.Serve(Enumerable.Range(0, 50_001).Select(i => $"$event{i}").ToList());
        Assert.Contains("at most 50000 are taken", Error(await s.FromB.SendAsync("many", s.AfterGap), s.AfterGap));

        // The power change as B wrote it, but with another event's signature: the same ID, not B's word.
        var forgedJson = s.PowerChange.Json.DeepClone().AsObject();
        forgedJson["signatures"] = s.LastMissing.Json["signatures"]!.DeepClone();
        var forged = Pdu.FromJson(forgedJson, s.PowerChange.RoomVersion);
        Assert.Equal(s.PowerChange.EventId, forged.EventId);
        s.Serve(s.StateAtGap.Values, forged, s.LastMissing);
        Assert.Contains($"the state event {s.PowerChange.EventId} could not be had", Error(await s.FromB.SendAsync("forged", s.AfterGap), s.AfterGap));

        s.Serve(s.StateAtGap.Where(e => e.Key.Type != EventTypes.Create).Select(e => e.Value).ToList(), s.PowerChange, s.LastMissing);
        Assert.Contains("lacks the room's create event", Error(await s.FromB.SendAsync("no create", s.AfterGap), s.AfterGap));
        Assert.DoesNotContain("after the gap", (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies());

        s.Serve(s.StateAtGap.Values, s.PowerChange, s.LastMissing);
        AssertAccepted(await s.FromB.SendAsync("honest", s.AfterGap), s.AfterGap);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PushedEventWhosePrevEventsGetMissingEventsDoesNotBring_IsRefused_WithoutAskingTheStateAtThem(string engine)
    {
        await using var s = await StartAsync(engine);
        s.Bring();
        s.Serve(s.StateAtGap.Values, s.PowerChange, s.LastMissing, s.Brought);

        Assert.Contains("did not provide through get_missing_events", Error(await s.FromB.SendAsync("t", s.AfterGap), s.AfterGap));

        // A server that withholds what its event builds on gets no say over the room's state through that event.
        Assert.Empty(s.Stub.RequestsTo($"{Federation}/state_ids"));
        Assert.Empty(s.Stub.RequestsTo($"{Federation}/state/"));
        Assert.DoesNotContain("after the gap", (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies());
        // It was not recorded either: sent again once B gives the gap, it is taken.
        s.Bring(s.Brought);
        AssertAccepted(await s.FromB.SendAsync("again", s.AfterGap), s.AfterGap);
        Assert.Contains("after the gap", (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies());
    }

    public void Dispose() => _ca.Dispose();
}
