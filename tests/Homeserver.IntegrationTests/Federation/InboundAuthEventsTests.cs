using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Homeserver.Testing.Federation.RemotePduFactory;

namespace Homeserver.IntegrationTests.Federation;

/// <summary>
/// Server B of ours pushes events to server A that name auth events A never received; B answers A's
/// <c>/event_auth</c> as each test scripts it (a remote whose answers a test controls).
/// </summary>
public sealed class InboundAuthEventsTests : IDisposable
{
    private const string EventAuth = "/_matrix/federation/v1/event_auth";

    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();

    private sealed record Setup(TestHomeserver A, TestHomeserver B, FederationAnswerStub Stub, RemotePduFactory FromB, HttpClient Alice,
        RoomId Room, UserId Bob, Pdu Join) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }

        /// <summary>A message of bob's whose auth events are the usual ones but with <paramref name="replaced"/> for <paramref name="by"/>.</summary>
        public async Task<Pdu> MessageCitingAsync(string body, EventId replaced, EventId by)
        {
            var usual = await FromB.MessageAsync(Room, Bob, "probe");
            return await FromB.MessageAsync(Room, Bob, body, [.. usual.AuthEvents.Where(id => id != replaced), by]);
        }
    }

    /// <summary>A public room on A with alice, and bob of B joined to it through a transaction.</summary>
    private async Task<Setup> StartAsync(string engine)
    {
        var stub = new FederationAnswerStub();
        var a = await FederationTestServers.StartAsync(engine, _ca);
        var b = await FederationTestServers.StartAsync(engine, _ca, configureBuilder: builder => builder.Services.AddSingleton<IStartupFilter>(stub));
        var (_, alice) = await a.RegisterClientAsync();
        var room = RoomId.Parse(await alice.CreateRoomAsync(new { preset = "public_chat" }));
        var fromB = new RemotePduFactory(a, b);
        var bob = fromB.User("bob");
        var join = await fromB.JoinAsync(room, bob);
        AssertAccepted(await fromB.SendAsync("join", join), join);
        return new Setup(a, b, stub, fromB, alice, room, bob, join);
    }

    private static JsonObject Chain(params Pdu[] events) => new() { ["auth_chain"] = new JsonArray(events.Select(e => (JsonNode)e.Json.DeepClone()).ToArray()) };

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UnknownAuthEvent_IsFetchedWithEventAuth_KeptAsOutlier_AndTheEventAccepted(string engine)
    {
        await using var s = await StartAsync(engine);
        // Bob's new display name, which B never sent to A, becomes the membership his next message rests on.
        var rename = await s.FromB.BuildAsync(s.Room, s.Bob, EventTypes.Member, s.Bob.ToString(),
            new JsonObject { ["membership"] = "join", ["displayname"] = "Bobby" });
        var message = await s.MessageCitingAsync("resting on the rename", s.Join.EventId, rename.EventId);
        s.Stub.Answer(EventAuth, _ => Chain(rename, s.Join));

        AssertAccepted(await s.FromB.SendAsync("t", message), message);

        var asked = Assert.Single(s.Stub.RequestsTo(EventAuth));
        Assert.Equal($"{EventAuth}/{s.Room}/{message.EventId}", asked.Target);
        Assert.Contains("resting on the rename", (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies());
        // Held to authorise with, but no part of the timeline.
        var events = s.A.Services.GetRequiredService<EventStore>();
        Assert.NotNull(await events.GetIncludingOutliersAsync(rename.EventId.ToString(), default));
        Assert.Null(await events.GetAsync(rename.EventId.ToString(), default));
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ForgedOrUnauthorisedAuthEvents_AreNotTaken_AndTheEventsRestingOnThemAreRefused(string engine)
    {
        await using var s = await StartAsync(engine);
        using var forgedKey = SigningKey.FromSeed(s.FromB.Key.Version, RandomNumberGenerator.GetBytes(32));
        var forged = await s.FromB.BuildAsync(s.Room, s.Bob, EventTypes.Member, s.Bob.ToString(),
            new JsonObject { ["membership"] = "join", ["displayname"] = "forged" }, key: forgedKey);
        var onForged = await s.MessageCitingAsync("on a forgery", s.Join.EventId, forged.EventId);
        // Bob has no power to change the power levels, whatever his server claims.
        var usurping = await s.FromB.BuildAsync(s.Room, s.Bob, EventTypes.PowerLevels, "",
            new JsonObject { ["users"] = new JsonObject { [s.Bob.ToString()] = 100 } });
        var currentPowerLevels = Assert.Single(usurping.AuthEvents, id => id != s.Join.EventId);
        var onUsurping = await s.MessageCitingAsync("on a usurpation", currentPowerLevels, usurping.EventId);
        s.Stub.Answer(EventAuth, _ => Chain(forged, usurping, s.Join));

        var results = await s.FromB.SendAsync("t", onForged, onUsurping);

        Assert.Contains($"unknown here ({forged.EventId})", Error(results, onForged));
        // Rejected for resting on a rejected event: processed, so answered without an error, as Synapse answers.
        AssertAccepted(results, onUsurping);
        var events = s.A.Services.GetRequiredService<EventStore>();
        Assert.Null(await events.GetIncludingOutliersAsync(forged.EventId.ToString(), default));
        Assert.Null(await events.GetIncludingOutliersAsync(usurping.EventId.ToString(), default));
        var bodies = (await s.Alice.MessagesAsync(s.Room.ToString())).Bodies().ToList();
        Assert.DoesNotContain("on a forgery", bodies);
        Assert.DoesNotContain("on a usurpation", bodies);
    }

    [Theory]
    [MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task HostileEventAuthAnswers_TooLongOrOfAnotherRoom_AreRefusedWithoutHarm(string engine)
    {
        await using var s = await StartAsync(engine);
        var rename = await s.FromB.BuildAsync(s.Room, s.Bob, EventTypes.Member, s.Bob.ToString(),
            new JsonObject { ["membership"] = "join", ["displayname"] = "Bobby" });
        var message = await s.MessageCitingAsync("resting on the rename", s.Join.EventId, rename.EventId);
        s.Stub.Answer(EventAuth, _ => new JsonObject
        {
            ["auth_chain"] = new JsonArray(Enumerable.Range(0, 5001).Select(_ => (JsonNode)rename.Json.DeepClone()).ToArray()),
        });
        Assert.Contains("at most 5000 are checked", Error(await s.FromB.SendAsync("long", message), message));

        // The rename moved to another room keeps its ID nowhere: the event named stays unknown.
        var elsewhere = (JsonObject)rename.Json.DeepClone();
        elsewhere["room_id"] = "!elsewhere:" + s.FromB.ServerName;
        s.Stub.Answer(EventAuth, _ => new JsonObject { ["auth_chain"] = new JsonArray(elsewhere, "not an event", 42) });
        Assert.Contains($"unknown here ({rename.EventId})", Error(await s.FromB.SendAsync("elsewhere", message), message));

        // The room is unharmed: the same message with the honest answer goes in.
        s.Stub.Answer(EventAuth, _ => Chain(rename));
        AssertAccepted(await s.FromB.SendAsync("honest", message), message);
    }

    public void Dispose() => _ca.Dispose();
}
