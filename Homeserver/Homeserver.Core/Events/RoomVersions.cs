using System.Diagnostics.CodeAnalysis;

namespace Homeserver.Core.Events;

/// <summary>
/// The room versions this server implements (spec "Room Versions"). Each is described as the
/// previous one plus its changes, mirroring how the spec writes them.
/// </summary>
public static class RoomVersions
{
    /// <summary>Room version 10: integer-only power levels and the <c>knock_restricted</c> join rule.</summary>
    public static RoomVersion V10 { get; } = new()
    {
        Id = "10",
        EventIdFormat = EventIdFormat.UrlSafeReferenceHash,
        Redaction = RedactionRules.V9,
        StateResolution = StateResolutionAlgorithm.V2,
        RoomIdIsCreateEventId = false,
        CreatorInCreateContent = true,
        PrivilegedCreators = false,
        RedactsInContent = false,
        IntegerOnlyPowerLevels = true,
        SupportsKnocking = true,
        SupportsRestrictedJoinRule = true,
        SupportsKnockRestrictedJoinRule = true,
        EnforcesKeyValidity = true,
        StrictCanonicalJson = true,
    };

    /// <summary>Room version 11: new redaction rules, no <c>creator</c>, <c>redacts</c> moved into content.</summary>
    public static RoomVersion V11 { get; } = V10 with
    {
        Id = "11",
        Redaction = RedactionRules.V11,
        CreatorInCreateContent = false,
        RedactsInContent = true,
    };

    /// <summary>Room version 12: hash room IDs, privileged creators, state resolution v2.1.</summary>
    public static RoomVersion V12 { get; } = V11 with
    {
        Id = "12",
        StateResolution = StateResolutionAlgorithm.V2_1,
        RoomIdIsCreateEventId = true,
        PrivilegedCreators = true,
    };

    /// <summary>The spec says servers SHOULD create new rooms with room version 12.</summary>
    public static RoomVersion Default => V12;

    public static IReadOnlyList<RoomVersion> All { get; } = [V10, V11, V12];

    /// <summary>Looks a version up by its identifier; matching is exact because versions are opaque strings.</summary>
    public static bool TryGet(string? id, [NotNullWhen(true)] out RoomVersion? version)
    {
        version = All.FirstOrDefault(v => string.Equals(v.Id, id, StringComparison.Ordinal));
        return version is not null;
    }
}
