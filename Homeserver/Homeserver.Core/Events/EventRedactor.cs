using System.Text.Json.Nodes;

namespace Homeserver.Core.Events;

/// <summary>
/// The redaction algorithm (spec "Room Versions", section "Redactions" of each version; fragments
/// "v9-redactions" and "v11-redactions"). Signatures and event IDs are computed over its output,
/// so it must match other servers byte for byte, including on malformed input.
/// </summary>
public static class EventRedactor
{
    // Top-level keys every supported version keeps.
    private static readonly string[] CoreKeys =
    [
        PduKeys.EventId, PduKeys.Type, PduKeys.RoomId, PduKeys.Sender, PduKeys.StateKey, PduKeys.Content,
        PduKeys.Hashes, PduKeys.Signatures, PduKeys.Depth, PduKeys.PrevEvents, PduKeys.AuthEvents, PduKeys.OriginServerTs,
    ];

    // Kept up to room version 10, dropped from 11 (MSC2176).
    private static readonly string[] LegacyKeys = ["origin", "membership", "prev_state"];

    private static readonly string[] PowerLevelsKeys =
        ["ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"];

    private const string ThirdPartyInvite = "third_party_invite";

    /// <summary>
    /// Returns a redacted deep copy of <paramref name="pdu"/>; the input is not changed. <c>unsigned</c>
    /// is not on the spec's list and is dropped: a server serving a redacted event re-adds what it needs.
    /// </summary>
    public static JsonObject Redact(JsonObject pdu, RoomVersion version)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(version);
        RedactionRules rules = version.Redaction;

        var redacted = new JsonObject();
        foreach ((string key, JsonNode? value) in pdu)
        {
            if (key != PduKeys.Content && (CoreKeys.Contains(key) || (rules.KeepOriginMembershipPrevState && LegacyKeys.Contains(key))))
            {
                redacted[key] = value?.DeepClone();
            }
        }

        // Always present, as Synapse writes it: an event's content may be stripped but never removed.
        string? type = pdu[PduKeys.Type] is JsonValue typeValue && typeValue.TryGetValue(out string? t) ? t : null;
        JsonObject content = pdu[PduKeys.Content] as JsonObject ?? [];
        redacted[PduKeys.Content] = RedactContent(type, content, rules);
        return redacted;
    }

    private static JsonObject RedactContent(string? type, JsonObject content, RedactionRules rules)
    {
        if (type == EventTypes.Create && rules.KeepAllCreateContent)
        {
            return (JsonObject)content.DeepClone();
        }

        var kept = new JsonObject();
        foreach ((string key, JsonNode? value) in content)
        {
            if (type == EventTypes.Member && key == ThirdPartyInvite && rules.KeepMemberThirdPartyInviteSigned)
            {
                // Only the "signed" block is needed to re-check the invite. A non-object value is
                // dropped, and an object without "signed" stays as {}: this follows Synapse, whose
                // output fixes the event IDs other servers compute (the spec does not say).
                if (value is JsonObject invite)
                {
                    kept[key] = invite.TryGetPropertyValue("signed", out JsonNode? signed)
                        ? new JsonObject { ["signed"] = signed?.DeepClone() }
                        : new JsonObject();
                }
            }
            else if (IsKeptContentKey(type, key, rules))
            {
                kept[key] = value?.DeepClone();
            }
        }

        return kept;
    }

    private static bool IsKeptContentKey(string? type, string key, RedactionRules rules) => type switch
    {
        EventTypes.Member => key == "membership"
            || (key == "join_authorised_via_users_server" && rules.KeepMemberJoinAuthorisedViaUsersServer),
        EventTypes.Create => key == "creator",
        EventTypes.JoinRules => key == "join_rule" || (key == "allow" && rules.KeepJoinRulesAllow),
        EventTypes.PowerLevels => PowerLevelsKeys.Contains(key) || (key == "invite" && rules.KeepPowerLevelsInvite),
        EventTypes.HistoryVisibility => key == "history_visibility",
        EventTypes.Redaction => key == PduKeys.Redacts && rules.KeepRedactionRedacts,
        EventTypes.Aliases => key == "aliases" && rules.KeepAliasesAliases,
        _ => false,
    };
}
