using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Events;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.AuthRules;
using Xunit;

namespace Homeserver.UnitTests.Rooms.AuthRules;

/// <summary>Rule 4.4 (v12 5.4): invites, including redeeming a third-party invite (4.4.1), and rule 6.</summary>
public sealed class MemberInviteRuleTests : IDisposable
{
    private const string Token = "tok123";
    private const string IdentityServer = "id.example.org";

    private readonly SigningKey _identityKey = SigningKey.FromSeed("0", Enumerable.Repeat((byte)7, 32).ToArray());
    private readonly SigningKey _otherKey = SigningKey.FromSeed("0", Enumerable.Repeat((byte)9, 32).ToArray());

    public static TheoryData<string> Versions => TestRoom.AllVersions;

    public void Dispose()
    {
        _identityKey.Dispose();
        _otherKey.Dispose();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Invite_ByJoinedMemberAtInviteLevel_Allowed(string id)
    {
        // Rule 4.4.4: the invite level defaults to 0, so Alice may invite.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Alice, TestRoom.Bob, "invite")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Invite_SenderNotJoined_Denied(string id)
    {
        // Rule 4.4.2.
        using TestRoom room = TestRoom.Standard(id);

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Bob, "@carol:other.org", "invite")), "m.room.member: the sender is not joined");
    }

    [Theory]
    [InlineData("10", "join")]
    [InlineData("11", "ban")]
    [InlineData("12", "join")]
    [InlineData("12", "ban")]
    public void Invite_TargetJoinedOrBanned_Denied(string id, string membership)
    {
        // Rule 4.4.3.
        using TestRoom room = TestRoom.Standard(id);
        if (membership == "ban")
        {
            room.SetMembership(TestRoom.Mod, TestRoom.Bob, "ban");
        }
        else
        {
            room.Join(TestRoom.Bob);
        }

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Admin, TestRoom.Bob, "invite")), "the invited user is already joined or is banned");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Invite_AlreadyInvited_Allowed(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        room.SetMembership(TestRoom.Alice, TestRoom.Bob, "invite");

        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Mod, TestRoom.Bob, "invite")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Invite_BelowInviteLevel_Denied(string id)
    {
        // Rule 4.4.5.
        using TestRoom room = TestRoom.Standard(id);
        SetInviteLevel(room, 50);

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Alice, TestRoom.Bob, "invite")), "the sender's level is below the invite level");
        AuthAssert.Allowed(room.Check(room.Member(TestRoom.Mod, TestRoom.Bob, "invite")));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ThirdPartyInviteEvent_AtInviteLevel_Allowed(string id)
    {
        // Rule 6: the invite level decides, not the event type's level (rule 7 is never reached).
        using TestRoom room = TestRoom.Standard(id);
        JsonObject levels = (JsonObject)room.State.Get(EventTypes.PowerLevels, "")!.Content.DeepClone();
        levels["events"] = new JsonObject { [EventTypes.ThirdPartyInvite] = 100 };
        room.SetPowerLevels(levels);

        AuthAssert.Allowed(room.Check(ThirdPartyInviteEvent(room, TestRoom.Alice, _identityKey.PublicKeyBase64)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ThirdPartyInviteEvent_BelowInviteLevel_Denied(string id)
    {
        using TestRoom room = TestRoom.Standard(id);
        SetInviteLevel(room, 50);

        AuthAssert.Denied(room.Check(ThirdPartyInviteEvent(room, TestRoom.Alice, _identityKey.PublicKeyBase64)), "m.room.third_party_invite: the sender's level is below the invite level");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ThirdPartyInvite_SignedByInvitesKey_Allowed(string id)
    {
        // Rule 4.4.1.7 with the single public_key.
        using TestRoom room = RoomWithThirdPartyInvite(id, _identityKey.PublicKeyBase64);

        AuthAssert.Allowed(room.Check(Redeem(room, TestRoom.Admin, Signed(TestRoom.Bob, Token, _identityKey))));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ThirdPartyInvite_KeyInPublicKeysListUrlSafe_Allowed(string id)
    {
        // 4.4.1.7.2, with the key in the URL-safe alphabet the schema also allows.
        using TestRoom room = TestRoom.Standard(id);
        var content = new JsonObject
        {
            ["display_name"] = "b...@example.com",
            ["key_validity_url"] = "https://id.example.org/_matrix/identity/v2/pubkey/isvalid",
            ["public_key"] = _otherKey.PublicKeyBase64,
            ["public_keys"] = new JsonArray(new JsonObject { ["public_key"] = UnpaddedBase64.EncodeUrlSafe(_identityKey.PublicKey) }),
        };
        room.Send(EventTypes.ThirdPartyInvite, TestRoom.Admin, Token, content);

        AuthAssert.Allowed(room.Check(Redeem(room, TestRoom.Admin, Signed(TestRoom.Bob, Token, _identityKey))));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ThirdPartyInvite_SignedByAnotherKey_Denied(string id)
    {
        // Rule 4.4.1.8.
        using TestRoom room = RoomWithThirdPartyInvite(id, _identityKey.PublicKeyBase64);

        AuthAssert.Denied(room.Check(Redeem(room, TestRoom.Admin, Signed(TestRoom.Bob, Token, _otherKey))), "is not signed by any key of the m.room.third_party_invite");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ThirdPartyInvite_TargetBanned_Denied(string id)
    {
        // Rule 4.4.1.1.
        using TestRoom room = RoomWithThirdPartyInvite(id, _identityKey.PublicKeyBase64);
        room.SetMembership(TestRoom.Admin, TestRoom.Bob, "ban");

        AuthAssert.Denied(room.Check(Redeem(room, TestRoom.Admin, Signed(TestRoom.Bob, Token, _identityKey))), "the invited user is banned");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ThirdPartyInvite_NoSigned_Denied(string id)
    {
        // Rule 4.4.1.2.
        using TestRoom room = RoomWithThirdPartyInvite(id, _identityKey.PublicKeyBase64);
        var content = new JsonObject { ["third_party_invite"] = new JsonObject { ["display_name"] = "b...@example.com" } };

        AuthAssert.Denied(room.Check(room.Member(TestRoom.Admin, TestRoom.Bob, "invite", content)), "third_party_invite has no signed object");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ThirdPartyInvite_SignedWithoutToken_Denied(string id)
    {
        // Rule 4.4.1.3.
        using TestRoom room = RoomWithThirdPartyInvite(id, _identityKey.PublicKeyBase64);
        JsonObject signed = Signed(TestRoom.Bob, Token, _identityKey);
        signed.Remove("token");

        AuthAssert.Denied(room.Check(Redeem(room, TestRoom.Admin, signed)), "signed lacks mxid or token");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ThirdPartyInvite_MxidNotStateKey_Denied(string id)
    {
        // Rule 4.4.1.4.
        using TestRoom room = RoomWithThirdPartyInvite(id, _identityKey.PublicKeyBase64);

        AuthAssert.Denied(room.Check(Redeem(room, TestRoom.Admin, Signed("@carol:other.org", Token, _identityKey))), "signed.mxid is not the state_key");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ThirdPartyInvite_UnknownToken_Denied(string id)
    {
        // Rule 4.4.1.5.
        using TestRoom room = RoomWithThirdPartyInvite(id, _identityKey.PublicKeyBase64);

        AuthAssert.Denied(room.Check(Redeem(room, TestRoom.Admin, Signed(TestRoom.Bob, "other-token", _identityKey))), "no m.room.third_party_invite has the token");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void ThirdPartyInvite_SenderDidNotSendTheInvite_Denied(string id)
    {
        // Rule 4.4.1.6.
        using TestRoom room = RoomWithThirdPartyInvite(id, _identityKey.PublicKeyBase64);

        AuthAssert.Denied(room.Check(Redeem(room, TestRoom.Mod, Signed(TestRoom.Bob, Token, _identityKey))), "the sender did not send the m.room.third_party_invite");
    }

    private static void SetInviteLevel(TestRoom room, int level)
    {
        JsonObject levels = (JsonObject)room.State.Get(EventTypes.PowerLevels, "")!.Content.DeepClone();
        levels["invite"] = level;
        room.SetPowerLevels(levels);
    }

    private static Pdu ThirdPartyInviteEvent(TestRoom room, string sender, string publicKey) =>
        room.Build(EventTypes.ThirdPartyInvite, sender, Token, new JsonObject
        {
            ["display_name"] = "b...@example.com",
            ["key_validity_url"] = "https://id.example.org/_matrix/identity/v2/pubkey/isvalid",
            ["public_key"] = publicKey,
        });

    private static TestRoom RoomWithThirdPartyInvite(string id, string publicKey)
    {
        TestRoom room = TestRoom.Standard(id);
        room.Apply(ThirdPartyInviteEvent(room, TestRoom.Admin, publicKey));
        return room;
    }

    // The object the identity server signs when the invited address is bound to a Matrix ID.
    private static JsonObject Signed(string mxid, string token, SigningKey key)
    {
        var signed = new JsonObject { ["mxid"] = mxid, ["token"] = token };
        JsonSigning.SignJson(signed, IdentityServer, key);
        return signed;
    }

    private static Pdu Redeem(TestRoom room, string sender, JsonObject signed) =>
        room.Member(sender, TestRoom.Bob, "invite", new JsonObject
        {
            ["third_party_invite"] = new JsonObject { ["display_name"] = "b...@example.com", ["signed"] = signed },
        });
}
