using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.IntegrationTests.Ingest;

/// <summary>
/// Builds events on chosen parents and feeds them to the running server's ingest pipeline, as another node or a
/// federating server would: the way to make a room's DAG fork on purpose.
/// </summary>
internal sealed class IngestEvents(TestHomeserver hs)
{
    public EventIngest Ingest => hs.Services.GetRequiredService<EventIngest>();

    /// <summary>
    /// An event by <paramref name="sender"/> on <paramref name="prevEvents"/>, with auth events chosen from the state
    /// after the first of them, as the server that wrote it would have chosen them.
    /// </summary>
    public async Task<Pdu> BuildAsync(string roomId, string sender, string type, JsonObject content, IReadOnlyList<string> prevEvents,
        string? stateKey = null, SigningKey? key = null)
    {
        var version = await hs.Services.GetRequiredService<RoomStore>().VersionOfAsync(roomId, default);
        var events = hs.Services.GetRequiredService<EventStore>();
        var parents = new List<EventRow>();
        foreach (var prev in prevEvents)
            parents.Add((await events.GetAsync(prev, default))!);
        var state = parents.Count == 0 ? new Dictionary<StateEventKey, string>()
            : await hs.Services.GetRequiredService<StateService>().GetGroupAsync(parents[0].StateGroup!.Value, default);
        var depth = parents.Select(p => p.Depth).DefaultIfEmpty(0).Max();
        var auth = AuthEventSelection.Keys(version, type, UserId.Parse(sender), stateKey, content)
            .Where(state.ContainsKey).Select(k => EventId.Parse(state[k])).ToList();
        return new EventBuilder
        {
            RoomVersion = version, Type = type, Sender = UserId.Parse(sender), RoomId = RoomId.Parse(roomId), StateKey = stateKey,
            Content = content, PrevEvents = prevEvents.Select(EventId.Parse).ToList(), AuthEvents = auth,
            Depth = depth + 1, OriginServerTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }.Build(key ?? hs.Services.GetRequiredService<SigningKey>());
    }

    /// <summary>Runs the whole pipeline on the event as one received from elsewhere (every check made).</summary>
    public Task<EventPersister.Persisted?> ReceiveAsync(Pdu pdu) =>
        Ingest.IngestAsync(new IngestContext { Event = pdu, Origin = TestHomeserver.ServerName, IsLocal = false }, default);

    public static JsonObject Text(string body) => new() { ["msgtype"] = "m.text", ["body"] = body };
}
