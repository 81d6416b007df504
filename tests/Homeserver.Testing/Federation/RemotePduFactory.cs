using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Outbound;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.Testing.Federation;

/// <summary>
/// Events as another server of ours (<paramref name="remote"/>) would write them into a room that
/// <paramref name="target"/> holds, built the way a server that had joined the room builds them: on the target's
/// current forward extremities, with the auth events the rules select from the target's current state, hashed and
/// signed with the remote's key by the project's own <see cref="EventBuilder"/>; and transactions pushing them to the
/// target with the remote's signed <see cref="FederationClient"/>. Until the join handshake exists, a remote user
/// gets into a public room by a join event sent this way, as a server propagates a join.
/// </summary>
public sealed class RemotePduFactory(TestHomeserver target, TestHomeserver remote)
{
    public string ServerName => remote.Options.ServerName;

    public SigningKey Key => remote.Services.GetRequiredService<SigningKey>();

    public UserId User(string localpart) => UserId.Parse($"@{localpart}:{ServerName}");

    /// <summary>
    /// An event of <paramref name="sender"/>. <paramref name="prevEvents"/>, <paramref name="authEvents"/> and
    /// <paramref name="depth"/> replace the ones the target's room gives (prev events the target lacks count for no
    /// depth); <paramref name="key"/> signs instead of the remote's key (a forgery).
    /// </summary>
    public async Task<Pdu> BuildAsync(RoomId roomId, UserId sender, string type, string? stateKey, JsonObject content,
        IReadOnlyList<EventId>? prevEvents = null, IReadOnlyList<EventId>? authEvents = null, SigningKey? key = null, long? depth = null)
    {
        var ct = CancellationToken.None;
        var services = target.Services;
        var rooms = services.GetRequiredService<RoomStore>();
        var state = services.GetRequiredService<StateService>();
        var version = await rooms.VersionOfAsync(roomId.ToString(), ct);
        var current = await services.GetRequiredService<CurrentStateStore>().GetStateAsync(roomId.ToString(), ct);
        var prevRows = prevEvents is null
            ? (await rooms.ForwardExtremitiesAsync(roomId.ToString(), ct)).ToList()
            : (await services.GetRequiredService<EventStore>().GetManyAsync(prevEvents.Select(p => p.ToString()).ToList(), ct)).Values.ToList();
        var prevIds = prevEvents ?? prevRows.Select(r => EventId.Parse(r.EventId)).ToList();
        var authIds = authEvents ?? AuthEventSelection.Keys(version, type, sender, stateKey, content)
            .Where(current.ContainsKey).Select(k => EventId.Parse(current[k])).ToList();
        var referenced = new List<Pdu>();
        if (version.EventReferencesCarryHashes)
            foreach (var id in prevIds.Concat(authIds))
                referenced.Add(await state.GetEventAsync(id.ToString(), version, ct) ?? throw new InvalidOperationException($"{id} is not stored on the target"));
        return new EventBuilder
        {
            RoomVersion = version,
            Type = type,
            Sender = sender,
            RoomId = roomId,
            StateKey = stateKey,
            Content = content,
            PrevEvents = prevIds,
            AuthEvents = authIds,
            ReferenceHashes = ReferenceHasher.ByEventId(referenced),
            Depth = depth ?? EventBuilder.NextDepth(prevRows.Select(r => r.Depth)),
            OriginServerTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }.Build(key ?? Key);
    }

    /// <summary>A membership event of <paramref name="sender"/> about <paramref name="target"/>, signed by <paramref name="key"/> or the remote's key.</summary>
    public Task<Pdu> MembershipAsync(RoomId roomId, UserId sender, UserId target, string membership, SigningKey? key = null) =>
        BuildAsync(roomId, sender, EventTypes.Member, target.ToString(), new JsonObject { ["membership"] = membership }, key: key);

    public Task<Pdu> JoinAsync(RoomId roomId, UserId user) => MembershipAsync(roomId, user, user, "join");

    /// <summary>
    /// Puts the event straight through the target's ingest pipeline as received from <paramref name="origin"/> (the
    /// remote unless named), without a transaction: how a test seats a remote member before what it tests. The event
    /// must be stored, not soft-failed; its ID.
    /// </summary>
    public async Task<string> IngestAsync(Pdu pdu, string? origin = null)
    {
        var persisted = await target.Services.GetRequiredService<EventIngest>().IngestAsync(
            new IngestContext { Event = pdu, Origin = origin ?? ServerName, IsLocal = false }, CancellationToken.None);
        return persisted is null ? throw new InvalidOperationException($"{pdu.EventId} was soft-failed") : pdu.EventId.ToString();
    }

    public Task<Pdu> MessageAsync(RoomId roomId, UserId sender, string body, IReadOnlyList<EventId>? authEvents = null) =>
        BuildAsync(roomId, sender, "m.room.message", null, new JsonObject { ["msgtype"] = "m.text", ["body"] = body }, authEvents: authEvents);

    /// <summary>A transaction body from the remote holding <paramref name="pdus"/>, as its sender would write it.</summary>
    public JsonObject Transaction(IEnumerable<JsonObject> pdus, string? origin = null) => new()
    {
        ["origin"] = origin ?? ServerName,
        ["origin_server_ts"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        ["pdus"] = new JsonArray(pdus.Select(p => (JsonNode)p.DeepClone()).ToArray()),
    };

    /// <summary><c>PUT /send/{txnId}</c> to the target, signed by the remote.</summary>
    public Task<OutboundResponse> PutAsync(string txnId, JsonObject body) =>
        remote.Services.GetRequiredService<FederationClient>().SendAsync(HttpMethod.Put, target.Options.ServerName,
            $"/_matrix/federation/v1/send/{Uri.EscapeDataString(txnId)}", body, CancellationToken.None);

    /// <summary>A federation <c>GET</c> of <paramref name="pathAndQuery"/> on the target, signed by the remote.</summary>
    public Task<OutboundResponse> GetAsync(string pathAndQuery) =>
        remote.Services.GetRequiredService<FederationClient>().SendAsync(HttpMethod.Get, target.Options.ServerName, pathAndQuery, null, CancellationToken.None);

    /// <summary>Pushes the events in one transaction that must be answered 200; the answer's per-PDU results.</summary>
    public async Task<JsonObject> SendAsync(string txnId, params Pdu[] pdus) => ResultsOf(await PutAsync(txnId, Transaction(pdus.Select(p => p.Json))));

    /// <summary>Asserts that the answer took <paramref name="pdu"/> without an error.</summary>
    public static void AssertAccepted(JsonObject results, Pdu pdu)
    {
        var result = Assert.IsType<JsonObject>(results[pdu.EventId.ToString()]);
        Assert.False(result.ContainsKey("error"), $"{pdu.EventId} was refused: {result.ToJsonString()}");
    }

    /// <summary>The error the answer gave <paramref name="pdu"/>, which it must have given.</summary>
    public static string Error(JsonObject results, Pdu pdu)
    {
        var result = Assert.IsType<JsonObject>(results[pdu.EventId.ToString()]);
        return Assert.IsAssignableFrom<JsonValue>(result["error"]).GetValue<string>();
    }

    /// <summary>The <c>pdus</c> of a 200 answer.</summary>
    public static JsonObject ResultsOf(OutboundResponse response) => response.IsSuccessStatusCode
        ? JsonNode.Parse(response.Body)!["pdus"]!.AsObject()
        : throw new InvalidOperationException($"/send answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(response.Body)}");
}
