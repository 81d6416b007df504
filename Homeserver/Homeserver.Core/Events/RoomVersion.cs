using Homeserver.Core.Encodings;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Events;

/// <summary>
/// The rules one room version fixes (spec "Room Versions"). Versions are opaque identifiers with no
/// ordering, so behaviour is keyed on these switches, never on comparing version numbers; an older
/// version is added by describing its switches in <see cref="RoomVersions"/>.
/// </summary>
public sealed record RoomVersion
{
    private const int Sha256Length = 32;

    /// <summary>The version identifier as it appears in <c>m.room.create</c>'s <c>room_version</c>, e.g. <c>"12"</c>.</summary>
    public required string Id { get; init; }

    public required EventIdFormat EventIdFormat { get; init; }

    /// <summary>
    /// v1–v2 (PDU format <c>pdu_v1</c>): <c>prev_events</c> and <c>auth_events</c> list <c>[event ID, {"sha256": reference
    /// hash}]</c> pairs; from v3 they are plain lists of event IDs.
    /// </summary>
    public required bool EventReferencesCarryHashes { get; init; }

    public required RedactionRules Redaction { get; init; }

    public required StateResolutionAlgorithm StateResolution { get; init; }

    /// <summary>
    /// v12: the room ID is the create event's ID with <c>!</c> for <c>$</c>, so room IDs have no server
    /// part, the create event carries no <c>room_id</c>, and it is never listed in <c>auth_events</c>.
    /// </summary>
    public required bool RoomIdIsCreateEventId { get; init; }

    /// <summary>v1–v10: <c>m.room.create</c> content must carry <c>creator</c>; v11 removed it in favour of <c>sender</c>.</summary>
    public required bool CreatorInCreateContent { get; init; }

    /// <summary>v12: the create event's sender and <c>content.additional_creators</c> are creators with infinite power level.</summary>
    public required bool PrivilegedCreators { get; init; }

    /// <summary>v11+: <c>m.room.redaction</c> carries <c>redacts</c> in <c>content</c>, not at the top level.</summary>
    public required bool RedactsInContent { get; init; }

    /// <summary>v1–v5, auth rule 4: an <c>m.room.aliases</c> event needs a state key that is its sender's server name, and nothing else.</summary>
    public required bool SpecialCasesAliases { get; init; }

    /// <summary>
    /// v1–v2, auth rule 11: a redaction is allowed only with the redact level or from the server of the redacted event's
    /// ID. From v3 the auth rules treat it like any other event and the server decides whether to apply it.
    /// </summary>
    public required bool RedactionsInAuthRules { get; init; }

    /// <summary>v6+: auth rules 9.4 and 9.5 check changes to <c>notifications</c> in power levels, as they do <c>events</c>.</summary>
    public required bool PowerLevelsRuleChecksNotifications { get; init; }

    /// <summary>v10+: power level values must be integers; strings such as <c>"50"</c> are rejected.</summary>
    public required bool IntegerOnlyPowerLevels { get; init; }

    /// <summary>v7+: the <c>knock</c> join rule and membership.</summary>
    public required bool SupportsKnocking { get; init; }

    /// <summary>v8+: the <c>restricted</c> join rule.</summary>
    public required bool SupportsRestrictedJoinRule { get; init; }

    /// <summary>v10+: the <c>knock_restricted</c> join rule.</summary>
    public required bool SupportsKnockRestrictedJoinRule { get; init; }

    /// <summary>v5+: a signing key's <c>valid_until_ts</c> must cover the event's <c>origin_server_ts</c>.</summary>
    public required bool EnforcesKeyValidity { get; init; }

    /// <summary>v6+: events must be strictly canonical JSON (no floats, integers within ±(2^53−1)).</summary>
    public required bool StrictCanonicalJson { get; init; }

    /// <summary>Whether <paramref name="eventId"/> has the shape this version's events are identified by.</summary>
    public bool IsValidEventId(EventId eventId) => EventIdFormat switch
    {
        EventIdFormat.ServerGenerated => eventId.ServerName is not null,
        EventIdFormat.ReferenceHash => eventId.ServerName is null && IsHash(eventId.Opaque, urlSafe: false),
        EventIdFormat.UrlSafeReferenceHash => eventId.ServerName is null && IsHash(eventId.Opaque, urlSafe: true),
        _ => false,
    };

    /// <summary>Whether <paramref name="roomId"/> has the shape rooms of this version are identified by.</summary>
    public bool IsValidRoomId(RoomId roomId) => RoomIdIsCreateEventId
        ? roomId.ServerName is null && IsHash(roomId.Opaque, urlSafe: true)
        : roomId.ServerName is not null;

    // Requires the canonical encoding of exactly 32 bytes, so one hash has exactly one spelling.
    private static bool IsHash(string? opaque, bool urlSafe)
    {
        if (opaque is null)
        {
            return false;
        }

        byte[]? hash;
        bool decoded = urlSafe ? UnpaddedBase64.TryDecodeUrlSafe(opaque, out hash) : UnpaddedBase64.TryDecode(opaque, out hash);
        return decoded
            && hash!.Length == Sha256Length
            && opaque == (urlSafe ? UnpaddedBase64.EncodeUrlSafe(hash) : UnpaddedBase64.Encode(hash));
    }
}
