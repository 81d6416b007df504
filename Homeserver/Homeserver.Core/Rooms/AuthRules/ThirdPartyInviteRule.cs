using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Events;
using Homeserver.Core.Keys;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// Auth rule 4.4.1 (v12: 5.4.1): an invite that redeems an <c>m.room.third_party_invite</c>. The identity
/// server's signature over <c>signed</c> is checked here against the public keys in that state event, so
/// the rule needs no key lookup and stays pure.
/// </summary>
internal static class ThirdPartyInviteRule
{
    private const string Rule = EventTypes.Member;

    public static AuthResult Check(Pdu ev, string target, IAuthState state, JsonNode? thirdPartyInvite)
    {
        // 4.4.1.1.
        if (Membership.Of(state, target) == Membership.Ban)
        {
            return AuthResult.Denied($"{Rule}: the invited user is banned");
        }

        // 4.4.1.2 and 4.4.1.3.
        if (thirdPartyInvite?["signed"] is not JsonObject signed)
        {
            return AuthResult.Denied($"{Rule}: third_party_invite has no signed object");
        }

        if (!PduReader.TryGetString(signed["mxid"], out string? mxid) || !PduReader.TryGetString(signed["token"], out string? token))
        {
            return AuthResult.Denied($"{Rule}: third_party_invite.signed lacks mxid or token");
        }

        // 4.4.1.4 to 4.4.1.6.
        if (mxid != target)
        {
            return AuthResult.Denied($"{Rule}: third_party_invite.signed.mxid is not the state_key");
        }

        if (state.Get(EventTypes.ThirdPartyInvite, token) is not { } invite)
        {
            return AuthResult.Denied($"{Rule}: no m.room.third_party_invite has the token");
        }

        if (invite.Sender != ev.Sender)
        {
            return AuthResult.Denied($"{Rule}: the sender did not send the m.room.third_party_invite");
        }

        // 4.4.1.7 and 4.4.1.8.
        return IsSignedByAnyKey(signed, PublicKeys(invite.Content))
            ? AuthResult.Allowed
            : AuthResult.Denied($"{Rule}: third_party_invite.signed is not signed by any key of the m.room.third_party_invite");
    }

    /// <summary>Rule 6 (v12: 7): sending an <c>m.room.third_party_invite</c> needs the invite level.</summary>
    public static AuthResult CheckInviteEvent(Pdu ev, PowerLevels powerLevels) =>
        powerLevels.GetUserLevel(ev.Sender) >= powerLevels.Invite
            ? AuthResult.Allowed
            : AuthResult.Denied($"{EventTypes.ThirdPartyInvite}: the sender's level is below the invite level");

    /// <summary>
    /// The keys of an <c>m.room.third_party_invite</c>'s content that signed <paramref name="signed"/>, each with the
    /// URL where the identity server says whether it still holds it (null when the invite names none).
    /// </summary>
    public static List<(string PublicKey, string? ValidityUrl)> KeysThatSigned(JsonObject signed, JsonObject content)
    {
        var candidates = new List<(JsonNode? Key, JsonNode? Url)> { (content["public_key"], content["key_validity_url"]) };
        if (content["public_keys"] is JsonArray list)
        {
            candidates.AddRange(list.OfType<JsonObject>().Select(item => (item["public_key"], item["key_validity_url"])));
        }

        var signers = new List<(string, string?)>();
        foreach ((JsonNode? keyNode, JsonNode? urlNode) in candidates)
        {
            if (PduReader.TryGetString(keyNode, out string? text)
                && (UnpaddedBase64.TryDecode(text, out byte[]? key) || UnpaddedBase64.TryDecodeUrlSafe(text, out key))
                && IsSignedByAnyKey(signed, [key]))
            {
                signers.Add((text, PduReader.TryGetString(urlNode, out string? url) ? url : null));
            }
        }

        return signers;
    }

    // "A single public key in the public_key property" and "a list of public keys in the public_keys property".
    private static List<byte[]> PublicKeys(JsonObject content)
    {
        var encoded = new List<JsonNode?> { content["public_key"] };
        if (content["public_keys"] is JsonArray list)
        {
            encoded.AddRange(list.Select(item => (item as JsonObject)?["public_key"]));
        }

        // Unpadded Base64 "using the standard or URL-safe alphabets" (m.room.third_party_invite schema).
        var keys = new List<byte[]>();
        foreach (JsonNode? node in encoded)
        {
            if (PduReader.TryGetString(node, out string? text)
                && (UnpaddedBase64.TryDecode(text, out byte[]? key) || UnpaddedBase64.TryDecodeUrlSafe(text, out key)))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    // "Any signature in signed" against "any public key": every (server, key ID) pair is tried with every key.
    private static bool IsSignedByAnyKey(JsonObject signed, List<byte[]> publicKeys)
    {
        if (signed["signatures"] is not JsonObject signatures)
        {
            return false;
        }

        foreach ((string server, JsonNode? byKeyId) in signatures)
        {
            if (byKeyId is not JsonObject keyIds)
            {
                continue;
            }

            foreach (string keyId in keyIds.Select(pair => pair.Key))
            {
                if (publicKeys.Any(key => JsonSigning.VerifyJson(signed, server, keyId, key)))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
