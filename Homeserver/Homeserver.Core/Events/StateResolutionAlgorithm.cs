namespace Homeserver.Core.Events;

/// <summary>Which state resolution algorithm a room version uses (spec "Room Versions").</summary>
public enum StateResolutionAlgorithm
{
    /// <summary>Room version 1.</summary>
    V1,

    /// <summary>Room versions 2–11.</summary>
    V2,

    /// <summary>Room version 12: v2, but iterative auth checks start from an empty state and the
    /// full conflicted set includes the conflicted state subgraph.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1707", Justification = "The spec names this algorithm v2.1.")]
    V2_1,
}
