using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Homeserver.IntegrationTests.Accounts.Threepids;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms.ThirdPartyInvites;

/// <summary>
/// Invites by email address (client-server "Third-party invites") against a fake identity server on loopback: a bound
/// address invites its user, an unbound one leaves an <c>m.room.third_party_invite</c> that only the identity server's
/// signature redeems.
/// </summary>
public sealed class ThirdPartyInviteTests(ThreepidFixture fixture) : IClassFixture<ThreepidFixture>
{
    private static string NewAddress() => $"invitee{Guid.NewGuid():N}@example.org";

    private static object Invite(FakeIdentityServer identity, string address) =>
        new { id_server = identity.Name, id_access_token = FakeIdentityServer.AccessToken, medium = "email", address };

    private static async Task<string> ThirdPartyTokenAsync(HttpClient client, string roomId)
    {
        var state = await (await client.GetRoomAsync(roomId, "state")).AssertOkAsync();
        return state.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "m.room.third_party_invite").GetProperty("state_key").GetString()!;
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task BoundAddress_InvitesItsUser_InRoomsAndAtCreation(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var identity = await fixture.IdentityServerAsync();
        var (_, inviter) = await hs.RegisterClientAsync();
        var (invitee, _) = await hs.RegisterClientAsync();
        var address = NewAddress();
        identity.Bindings[("email", address)] = invitee.UserId;

        var roomId = await inviter.CreateRoomAsync(new { preset = "private_chat" });
        await (await inviter.PostRoomAsync(roomId, "invite", Invite(identity, address))).AssertOkAsync();
        var member = await (await inviter.GetRoomAsync(roomId, $"state/m.room.member/{invitee.UserId}")).AssertOkAsync();
        Assert.Equal("invite", member.GetProperty("membership").GetString());

        var created = await inviter.CreateRoomAsync(new { preset = "private_chat", invite_3pid = new[] { Invite(identity, address) } });
        var atCreation = await (await inviter.GetRoomAsync(created, $"state/m.room.member/{invitee.UserId}")).AssertOkAsync();
        Assert.Equal("invite", atCreation.GetProperty("membership").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UnboundAddress_IsRedeemedByOnBind_AndByASignedJoin(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var identity = await fixture.IdentityServerAsync();
        var (inviterUser, inviter) = await hs.RegisterClientAsync();
        var (invitee, inviteeClient) = await hs.RegisterClientAsync();

        // The identity server tells us of the binding.
        var roomId = await inviter.CreateRoomAsync(new { preset = "private_chat" });
        await (await inviter.PostRoomAsync(roomId, "invite", Invite(identity, NewAddress()))).AssertOkAsync();
        var token = await ThirdPartyTokenAsync(inviter, roomId);
        Assert.Equal((roomId, inviterUser.UserId), (identity.StoredInvites[token].RoomId, identity.StoredInvites[token].Sender));
        var signed = identity.Sign(new JsonObject { ["mxid"] = invitee.UserId, ["token"] = token });
        await (await hs.Client.PostAsJsonAsync("/_matrix/federation/v1/3pid/onbind", new JsonObject
        {
            ["medium"] = "email", ["address"] = "x@example.org", ["mxid"] = invitee.UserId,
            ["invites"] = new JsonArray(new JsonObject { ["room_id"] = roomId, ["sender"] = inviterUser.UserId, ["mxid"] = invitee.UserId, ["token"] = token, ["signed"] = signed }),
        })).AssertOkAsync();
        var member = await (await inviter.GetRoomAsync(roomId, $"state/m.room.member/{invitee.UserId}")).AssertOkAsync();
        Assert.Equal("invite", member.GetProperty("membership").GetString());
        Assert.Equal(token, member.GetProperty("third_party_invite").GetProperty("signed").GetProperty("token").GetString());
        await inviteeClient.JoinAsync(roomId);

        // The invitee joins with the identity server's signature, after the inviter left.
        var second = await inviter.CreateRoomAsync(new { preset = "private_chat" });
        await (await inviter.PostRoomAsync(second, "invite", Invite(identity, NewAddress()))).AssertOkAsync();
        var secondToken = await ThirdPartyTokenAsync(inviter, second);
        var (other, otherClient) = await hs.RegisterClientAsync();
        await inviter.InviteAsync(second, other.UserId);
        await otherClient.JoinAsync(second);
        await inviter.LeaveAsync(second);
        var joinSigned = identity.Sign(new JsonObject { ["mxid"] = invitee.UserId, ["sender"] = inviterUser.UserId, ["token"] = secondToken });
        await (await inviteeClient.PostAsJsonAsync($"/_matrix/client/v3/rooms/{second}/join", new { third_party_signed = joinSigned })).AssertOkAsync();
        var joined = await (await otherClient.GetRoomAsync(second, $"state/m.room.member/{invitee.UserId}")).AssertOkAsync();
        Assert.Equal("join", joined.GetProperty("membership").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ForgedSignatures_OtherRoomsTokens_RevokedKeys_AndLowPower_AreRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var identity = await fixture.IdentityServerAsync();
        var (_, inviter) = await hs.RegisterClientAsync();
        var (invitee, inviteeClient) = await hs.RegisterClientAsync();
        var roomId = await inviter.CreateRoomAsync(new { preset = "private_chat" });
        await (await inviter.PostRoomAsync(roomId, "invite", Invite(identity, NewAddress()))).AssertOkAsync();
        var token = await ThirdPartyTokenAsync(inviter, roomId);

        // Signed by a key the invite does not name.
        using var forger = Homeserver.Core.Keys.SigningKey.Generate();
        var forged = new JsonObject { ["mxid"] = invitee.UserId, ["token"] = token };
        Homeserver.Core.Keys.JsonSigning.SignJson(forged, identity.Name, forger);
        await (await inviteeClient.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/join", new { third_party_signed = forged }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        // A genuine signature over a token of another room.
        var other = await inviter.CreateRoomAsync(new { preset = "private_chat" });
        var signed = identity.Sign(new JsonObject { ["mxid"] = invitee.UserId, ["token"] = token });
        await (await inviteeClient.PostAsJsonAsync($"/_matrix/client/v3/rooms/{other}/join", new { third_party_signed = signed }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        // A genuine signature by a key the identity server has since revoked.
        identity.RevokedKeys[identity.InviteKey.PublicKeyBase64] = true;
        try
        {
            await (await inviteeClient.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/join", new { third_party_signed = signed }))
                .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        }
        finally
        {
            identity.RevokedKeys.Clear();
        }
        Assert.Equal(HttpStatusCode.NotFound, (await inviter.GetRoomAsync(roomId, $"state/m.room.member/{invitee.UserId}")).StatusCode);

        // Someone below the invite level cannot have the identity server mail anyone for the room.
        var (_, member) = await hs.RegisterClientAsync();
        var locked = await inviter.CreateRoomAsync(new { preset = "public_chat", power_level_content_override = new { invite = 50 } });
        await member.JoinAsync(locked);
        var before = identity.StoredInvites.Count;
        await (await member.PostRoomAsync(locked, "invite", Invite(identity, NewAddress()))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.Equal(before, identity.StoredInvites.Count);
    }
}
