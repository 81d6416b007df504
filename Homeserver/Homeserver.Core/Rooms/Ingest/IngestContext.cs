using Homeserver.Core.Events;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// One event on its way through <see cref="EventIngest"/>: what came with it, and what each step found out for
/// the steps after it. A local writer fills in what it already knows (the auth events and the state it built
/// the event on), and the steps use it instead of reading it again.
/// </summary>
public sealed class IngestContext
{
    public required Pdu Event { get; set; }

    /// <summary>The server the event came from; this server's name for an event a local user created.</summary>
    public required string Origin { get; init; }

    /// <summary>Whether a local user created the event here (this server built and signed it).</summary>
    public required bool IsLocal { get; init; }

    /// <summary>A client's transaction ID, recorded with the event.</summary>
    public ClientTxn? Txn { get; init; }

    /// <summary>For a room's create event: the room it creates, inserted with it.</summary>
    public RoomRecord? NewRoom { get; init; }

    /// <summary>The events named in <c>auth_events</c>.</summary>
    public IReadOnlyList<Pdu>? AuthEvents { get; set; }

    /// <summary>
    /// The events whose states after make the state before the event, when some of its <c>prev_events</c> were rejected
    /// here (<see cref="PrevEventsBeforeRejected"/>); its <c>prev_events</c> otherwise. They leave the forward extremities with them.
    /// </summary>
    public IReadOnlyList<string>? StatePrevEvents { get; set; }

    /// <summary>The timeline rows of <see cref="StatePrevEvents"/>, when the caller read them already (all of them, of this room).</summary>
    public IReadOnlyList<EventRow>? StatePrevRows { get; init; }

    /// <summary>
    /// The room's forward extremities before the event, read under the room's lock: by a local writer, which built the
    /// event on them, or by <see cref="SoftFailCheckStep"/>. Later steps read them here rather than again.
    /// </summary>
    public IReadOnlyList<EventRow>? ForwardExtremities { get; set; }

    /// <summary>The room's state before the event, from its <c>prev_events</c>.</summary>
    public RoomState? StateBefore { get; set; }

    /// <summary>
    /// For an event of the room's history fetched from another server (backfill): its stream position, below the
    /// room's others. It is stored with its state but changes neither the current state nor the forward extremities,
    /// is not soft-failed against today's state, and is told to no one (no sync, push or federation).
    /// </summary>
    public long? BackfillOrdering { get; init; }

    /// <summary>Allowed by its own auth events and the state before it, but not by the room's current state: stored, never served.</summary>
    public string? SoftFailReason { get; set; }

    /// <summary>Whether a redaction, stored as an event of the room like any other, redacts its target (<see cref="RedactionCheckStep"/>).</summary>
    public RedactionVerdict Redaction { get; set; }
}
