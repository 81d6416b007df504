namespace Homeserver.Core.Rooms.Ingest;

/// <summary>What another server's redaction may do to the event it names (<see cref="RedactionCheckStep"/>).</summary>
public enum RedactionVerdict
{
    /// <summary>It redacts its target; also every event that is no such redaction.</summary>
    Applies,

    /// <summary>
    /// Its target is not held here yet: it redacts nothing, and is withheld from clients once the target arrives if that
    /// is another room's event (<see cref="Timeline.AwaitedRedactionStore"/>).
    /// </summary>
    TargetUnknown,

    /// <summary>It names another room's event: it redacts nothing and, as Synapse withholds it, no client is shown it.</summary>
    OtherRoom,

    /// <summary>Its sender may not redact the target: it redacts nothing, but clients see it as an event of the room.</summary>
    NotPermitted,
}
