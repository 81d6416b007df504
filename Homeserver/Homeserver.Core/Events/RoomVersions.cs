using System.Diagnostics.CodeAnalysis;

namespace Homeserver.Core.Events;

/// <summary>
/// The room versions this server implements (spec "Room Versions"). Each is described as the
/// previous one plus its changes, mirroring how the spec writes them.
/// </summary>
public static class RoomVersions
{
    /// <summary>Room version 1: server-minted event IDs, the v1 PDU format and auth rules, state resolution v1.</summary>
    public static RoomVersion V1 { get; } = new()
    {
        Id = "1",
        EventIdFormat = EventIdFormat.ServerGenerated,
        EventReferencesCarryHashes = true,
        Redaction = RedactionRules.V1,
        StateResolution = StateResolutionAlgorithm.V1,
        RoomIdIsCreateEventId = false,
        CreatorInCreateContent = true,
        PrivilegedCreators = false,
        RedactsInContent = false,
        SpecialCasesAliases = true,
        RedactionsInAuthRules = true,
        PowerLevelsRuleChecksNotifications = false,
        IntegerOnlyPowerLevels = false,
        SupportsKnocking = false,
        SupportsRestrictedJoinRule = false,
        SupportsKnockRestrictedJoinRule = false,
        EnforcesKeyValidity = false,
        StrictCanonicalJson = false,
    };

    /// <summary>Room version 2: state resolution v2.</summary>
    public static RoomVersion V2 { get; } = V1 with { Id = "2", StateResolution = StateResolutionAlgorithm.V2 };

    /// <summary>
    /// Room version 3: event IDs are reference hashes, <c>prev_events</c>/<c>auth_events</c> plain ID lists, and
    /// redactions leave the auth rules for the server's decision to apply them.
    /// </summary>
    public static RoomVersion V3 { get; } = V2 with
    {
        Id = "3",
        EventIdFormat = EventIdFormat.ReferenceHash,
        EventReferencesCarryHashes = false,
        RedactionsInAuthRules = false,
    };

    /// <summary>Room version 4: event IDs in URL-safe Base64.</summary>
    public static RoomVersion V4 { get; } = V3 with { Id = "4", EventIdFormat = EventIdFormat.UrlSafeReferenceHash };

    /// <summary>Room version 5: signing keys are trusted only until their <c>valid_until_ts</c>.</summary>
    public static RoomVersion V5 { get; } = V4 with { Id = "5", EnforcesKeyValidity = true };

    /// <summary>
    /// Room version 6: strict canonical JSON, no special case for <c>m.room.aliases</c> (auth rules and redaction),
    /// and <c>notifications</c> levels guarded like <c>events</c>.
    /// </summary>
    public static RoomVersion V6 { get; } = V5 with
    {
        Id = "6",
        Redaction = RedactionRules.V6,
        SpecialCasesAliases = false,
        PowerLevelsRuleChecksNotifications = true,
        StrictCanonicalJson = true,
    };

    /// <summary>Room version 7: knocking.</summary>
    public static RoomVersion V7 { get; } = V6 with { Id = "7", SupportsKnocking = true };

    /// <summary>Room version 8: the <c>restricted</c> join rule, and redaction keeps its <c>allow</c>.</summary>
    public static RoomVersion V8 { get; } = V7 with { Id = "8", Redaction = RedactionRules.V8, SupportsRestrictedJoinRule = true };

    /// <summary>Room version 9: redaction keeps <c>join_authorised_via_users_server</c>.</summary>
    public static RoomVersion V9 { get; } = V8 with { Id = "9", Redaction = RedactionRules.V9 };

    /// <summary>Room version 10: integer-only power levels and the <c>knock_restricted</c> join rule.</summary>
    public static RoomVersion V10 { get; } = V9 with
    {
        Id = "10",
        IntegerOnlyPowerLevels = true,
        SupportsKnockRestrictedJoinRule = true,
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

    public static IReadOnlyList<RoomVersion> All { get; } = [V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12];

    /// <summary>Looks a version up by its identifier; matching is exact because versions are opaque strings.</summary>
    public static bool TryGet(string? id, [NotNullWhen(true)] out RoomVersion? version)
    {
        version = All.FirstOrDefault(v => string.Equals(v.Id, id, StringComparison.Ordinal));
        return version is not null;
    }
}
