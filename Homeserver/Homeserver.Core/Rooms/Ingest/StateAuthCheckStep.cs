using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// Step 5: the event is allowed by the room's state before it, not only by the auth events it chose. An event built
/// here has as auth events exactly what this step would read from that state, so it is not checked twice.
/// </summary>
public sealed class StateAuthCheckStep(StateService state) : IIngestStep
{
    public async ValueTask RunAsync(IngestContext ctx, CancellationToken ct)
    {
        // A local writer chose the auth events from this very state, so the auth-events step has made this check.
        if (ctx.NewRoom is not null || ctx.IsLocal)
            return;
        var verdict = await AuthoriseAsync(state, ctx.Event, ctx.StateBefore!.Map, ct);
        if (!verdict.IsAllowed)
            throw new EventRefusedException(nameof(StateAuthCheckStep), verdict.Reason!, rejected: true);
    }

    /// <summary>The auth rules for <paramref name="ev"/> against the events a state map holds at the keys they read.</summary>
    internal static async Task<AuthResult> AuthoriseAsync(StateService state, Pdu ev, IReadOnlyDictionary<StateEventKey, string> map, CancellationToken ct)
    {
        var authState = new AuthStateMap();
        foreach (var key in AuthEventSelection.Keys(ev))
            if (await state.GetStateEventAsync(map, key, ev.RoomVersion, ct) is { } stateEvent)
                authState.Set(stateEvent);
        // From v12 the create event is implied by the room ID instead of listed, but the rules still read it.
        if (ev.RoomVersion.RoomIdIsCreateEventId && await state.GetStateEventAsync(map, EventTypes.Create, ev.RoomVersion, ct) is { } create)
            authState.Set(create);
        return EventAuthRules.Check(ev.RoomVersion, ev, authState);
    }
}
