using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Federation.Reads;

/// <summary>
/// The room's state before an event, with the auth chain of that state (<c>/state</c>, <c>/state_ids</c>), for a
/// server that may see the room at that event.
/// </summary>
public sealed class FederationStateReads(StateService state, FederationRoomAccess access)
{
    public sealed record StateIds(IReadOnlyList<string> PduIds, IReadOnlyList<string> AuthChainIds);

    public sealed record State(IReadOnlyList<JsonObject> Pdus, IReadOnlyList<JsonObject> AuthChain);

    public async Task<StateIds> StateIdsAsync(string origin, RoomId roomId, EventId eventId, CancellationToken ct) =>
        (await ResolveAsync(origin, roomId, eventId, ct)).Ids;

    public async Task<State> StateAsync(string origin, RoomId roomId, EventId eventId, CancellationToken ct)
    {
        var (version, ids) = await ResolveAsync(origin, roomId, eventId, ct);
        return new State(await access.WholePdusAsync(ids.PduIds, version, ct), await access.WholePdusAsync(ids.AuthChainIds, version, ct));
    }

    private async Task<(RoomVersion Version, StateIds Ids)> ResolveAsync(string origin, RoomId roomId, EventId eventId, CancellationToken ct)
    {
        var version = await access.EnterAsync(roomId, origin, ct);
        var row = await access.EventOfRoomAsync(roomId, eventId, ct);
        await access.EnsureMaySeeAsync(origin, roomId, version, row, ct);
        // The state before the event ("prior to considering any state changes induced by the requested event"); the
        // create event has none.
        var stateIds = row.StateGroupBefore is { } group ? (await state.GetGroupAsync(group, ct)).Values.ToList() : [];
        var chain = await access.AuthChainAsync(roomId, version, stateIds.Select(EventId.Parse).ToList(), ct);
        return (version, new StateIds(stateIds, chain.ToList()));
    }
}
