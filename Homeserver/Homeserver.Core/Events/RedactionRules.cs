namespace Homeserver.Core.Events;

/// <summary>
/// The switches in which room versions' redaction algorithms differ. The algorithm itself lives in
/// <see cref="EventRedactor"/>; every version keeps the same core keys, and these flags add the rest.
/// Because event IDs and signatures are computed over the redacted form, each flag is consensus-critical.
/// </summary>
public sealed record RedactionRules
{
    /// <summary>Keep top-level <c>origin</c>, <c>membership</c> and <c>prev_state</c> (dropped in v11).</summary>
    public required bool KeepOriginMembershipPrevState { get; init; }

    /// <summary>Keep all of <c>m.room.create</c>'s content (v11+); before, only <c>creator</c>.</summary>
    public required bool KeepAllCreateContent { get; init; }

    /// <summary>Keep <c>allow</c> in <c>m.room.join_rules</c> (v8+, restricted rooms).</summary>
    public required bool KeepJoinRulesAllow { get; init; }

    /// <summary>Keep <c>join_authorised_via_users_server</c> in <c>m.room.member</c> (v9+; v8 forgot it).</summary>
    public required bool KeepMemberJoinAuthorisedViaUsersServer { get; init; }

    /// <summary>Keep <c>third_party_invite.signed</c> in <c>m.room.member</c> (v11+).</summary>
    public required bool KeepMemberThirdPartyInviteSigned { get; init; }

    /// <summary>Keep <c>invite</c> in <c>m.room.power_levels</c> (v11+).</summary>
    public required bool KeepPowerLevelsInvite { get; init; }

    /// <summary>Keep <c>redacts</c> in <c>m.room.redaction</c> content (v11+, where it moved into content).</summary>
    public required bool KeepRedactionRedacts { get; init; }

    /// <summary>Keep <c>aliases</c> in <c>m.room.aliases</c> (v1–v5 only).</summary>
    public required bool KeepAliasesAliases { get; init; }

    /// <summary>The algorithm of room versions 1 to 5 (spec fragment "v1-redactions").</summary>
    public static RedactionRules V1 { get; } = new()
    {
        KeepOriginMembershipPrevState = true,
        KeepAllCreateContent = false,
        KeepJoinRulesAllow = false,
        KeepMemberJoinAuthorisedViaUsersServer = false,
        KeepMemberThirdPartyInviteSigned = false,
        KeepPowerLevelsInvite = false,
        KeepRedactionRedacts = false,
        KeepAliasesAliases = true,
    };

    /// <summary>The algorithm of room versions 6 and 7 (fragment "v6-redactions"): <c>m.room.aliases</c> loses its meaning.</summary>
    public static RedactionRules V6 { get; } = V1 with { KeepAliasesAliases = false };

    /// <summary>The algorithm of room version 8: <c>m.room.join_rules</c> keeps <c>allow</c>.</summary>
    public static RedactionRules V8 { get; } = V6 with { KeepJoinRulesAllow = true };

    /// <summary>
    /// The algorithm of room versions 9 and 10 (fragment "v9-redactions"): <c>m.room.member</c> keeps
    /// <c>join_authorised_via_users_server</c>.
    /// </summary>
    public static RedactionRules V9 { get; } = V8 with { KeepMemberJoinAuthorisedViaUsersServer = true };

    /// <summary>The algorithm of room versions 11 and 12 (spec fragment "v11-redactions", MSC2176 + MSC3821).</summary>
    public static RedactionRules V11 { get; } = V9 with
    {
        KeepOriginMembershipPrevState = false,
        KeepAllCreateContent = true,
        KeepMemberThirdPartyInviteSigned = true,
        KeepPowerLevelsInvite = true,
        KeepRedactionRedacts = true,
    };
}
