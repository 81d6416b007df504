using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Profile;

public sealed class ProfileTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static string ProfilePath(string userId, string? field = null) =>
        "/_matrix/client/v3/profile/" + Uri.EscapeDataString(userId) + (field is null ? "" : "/" + field);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Profile_AfterRegistration_DisplaynameIsLocalpart(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();

        var field = await (await client.GetAsync(ProfilePath(user.UserId, "displayname"))).AssertOkAsync();
        Assert.Equal(user.Localpart, field.GetProperty("displayname").GetString());
        var profile = await (await client.GetAsync(ProfilePath(user.UserId))).AssertOkAsync();
        Assert.Equal(user.Localpart, profile.GetProperty("displayname").GetString());
        Assert.False(profile.TryGetProperty("avatar_url", out var avatar) && avatar.ValueKind != System.Text.Json.JsonValueKind.Null);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SetDisplaynameAndAvatar_ThenGet_ReturnsBoth(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var (_, readerClient) = await hs.RegisterClientAsync();
        const string name = "Alice «the tester» 🐇";
        const string avatar = "mxc://test.local/AbCdEf0123456789";

        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "displayname"), new { displayname = name })).AssertOkAsync();
        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "avatar_url"), new { avatar_url = avatar })).AssertOkAsync();

        var dn = await (await client.GetAsync(ProfilePath(user.UserId, "displayname"))).AssertOkAsync();
        Assert.Equal(name, dn.GetProperty("displayname").GetString());
        var av = await (await client.GetAsync(ProfilePath(user.UserId, "avatar_url"))).AssertOkAsync();
        Assert.Equal(avatar, av.GetProperty("avatar_url").GetString());

        // Another user sees the same full profile.
        var profile = await (await readerClient.GetAsync(ProfilePath(user.UserId))).AssertOkAsync();
        Assert.Equal(name, profile.GetProperty("displayname").GetString());
        Assert.Equal(avatar, profile.GetProperty("avatar_url").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SetDisplayname_Twice_LastValueWins(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "displayname"), new { displayname = "first" })).AssertOkAsync();
        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "displayname"), new { displayname = "second" })).AssertOkAsync();
        var dn = await (await client.GetAsync(ProfilePath(user.UserId, "displayname"))).AssertOkAsync();
        Assert.Equal("second", dn.GetProperty("displayname").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SetDisplayname_OverLimit_IsRefusedAndAtLimitIsAccepted(string engine)
    {
        // Checklist row 11: displayname is capped at 256 characters.
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();

        var tooLong = await client.PutAsJsonAsync(ProfilePath(user.UserId, "displayname"), new { displayname = new string('d', 257) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.StartsWith("M_", (await tooLong.JsonAsync()).GetProperty("errcode").GetString());
        var unchanged = await (await client.GetAsync(ProfilePath(user.UserId, "displayname"))).AssertOkAsync();
        Assert.Equal(user.Localpart, unchanged.GetProperty("displayname").GetString());

        var atLimit = new string('d', 256);
        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "displayname"), new { displayname = atLimit })).AssertOkAsync();
        var stored = await (await client.GetAsync(ProfilePath(user.UserId, "displayname"))).AssertOkAsync();
        Assert.Equal(atLimit, stored.GetProperty("displayname").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SetAvatarUrl_OverLimit_IsRefusedAndAtLimitIsAccepted(string engine)
    {
        // Checklist row 11: avatar_url is capped at 1000 characters.
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        const string prefix = "mxc://test.local/";

        var tooLong = await client.PutAsJsonAsync(ProfilePath(user.UserId, "avatar_url"), new { avatar_url = prefix + new string('a', 1001 - prefix.Length) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.StartsWith("M_", (await tooLong.JsonAsync()).GetProperty("errcode").GetString());
        await (await client.GetAsync(ProfilePath(user.UserId, "avatar_url"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        var atLimit = prefix + new string('a', 1000 - prefix.Length);
        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "avatar_url"), new { avatar_url = atLimit })).AssertOkAsync();
        var stored = await (await client.GetAsync(ProfilePath(user.UserId, "avatar_url"))).AssertOkAsync();
        Assert.Equal(atLimit, stored.GetProperty("avatar_url").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SetAvatarUrl_NotAnMxcUri_IsKeptAsSynapseKeepsIt_AndAnUnknownFieldIsUnrecognized(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();

        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "avatar_url"), new { avatar_url = "https://example.org/a.png" })).AssertOkAsync();
        var stored = await (await client.GetAsync(ProfilePath(user.UserId, "avatar_url"))).AssertOkAsync();
        Assert.Equal("https://example.org/a.png", stored.GetProperty("avatar_url").GetString());
        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "avatar_url"), new { avatar_url = "" })).AssertOkAsync();
        await (await client.GetAsync(ProfilePath(user.UserId, "avatar_url"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "pronouns"), new { pronouns = "they" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNRECOGNIZED");
        await (await client.GetAsync(ProfilePath(user.UserId, "pronouns"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SetProfile_OfAnotherUser_IsForbidden(string engine)
    {
        // Checklist row 19: path user IDs must name the requester.
        var hs = await fixture.GetAsync(engine);
        var (_, client) = await hs.RegisterClientAsync();
        var victim = await hs.RegisterAsync();

        await (await client.PutAsJsonAsync(ProfilePath(victim.UserId, "displayname"), new { displayname = "pwned" }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await client.PutAsJsonAsync(ProfilePath(victim.UserId, "avatar_url"), new { avatar_url = "mxc://evil.example/pwned" }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        var profile = await (await client.GetAsync(ProfilePath(victim.UserId))).AssertOkAsync();
        Assert.Equal(victim.Localpart, profile.GetProperty("displayname").GetString());
        Assert.False(profile.TryGetProperty("avatar_url", out var avatar) && avatar.ValueKind != System.Text.Json.JsonValueKind.Null);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GetProfile_UnknownUser_IsNotFound(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, client) = await hs.RegisterClientAsync();
        var nobody = $"@nobody{Guid.NewGuid():N}:{TestHomeserver.ServerName}";
        await (await client.GetAsync(ProfilePath(nobody))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await client.GetAsync(ProfilePath(nobody, "displayname"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Fact]
    public async Task SetDisplayname_NonString_IsBadJson()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (user, client) = await hs.RegisterClientAsync();
        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "displayname"), new { displayname = 42 }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        var unchanged = await (await client.GetAsync(ProfilePath(user.UserId, "displayname"))).AssertOkAsync();
        Assert.Equal(user.Localpart, unchanged.GetProperty("displayname").GetString());
    }

    [Fact]
    public async Task SetDisplayname_WithoutToken_IsMissingToken()
    {
        var hs = await fixture.GetAsync("sqlite");
        var user = await hs.RegisterAsync();
        await (await hs.Client.PutAsJsonAsync(ProfilePath(user.UserId, "displayname"), new { displayname = "anon" }))
            .AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ProfileChange_ReachesTheMemberEventOfEveryJoinedRoom_AndNoOtherRoom(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var (_, other) = await hs.RegisterClientAsync();
        var first = await other.CreateRoomAsync(new { preset = "public_chat" });
        var second = await other.CreateRoomAsync(new { preset = "public_chat" });
        var left = await other.CreateRoomAsync(new { preset = "public_chat" });
        foreach (var room in new[] { first, second, left })
            await client.JoinAsync(room);
        await client.LeaveAsync(left);

        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "displayname"), new { displayname = "Renamed" })).AssertOkAsync();
        await (await client.PutAsJsonAsync(ProfilePath(user.UserId, "avatar_url"), new { avatar_url = "mxc://example.org/face" })).AssertOkAsync();

        foreach (var room in new[] { first, second })
        {
            var member = await (await other.GetRoomAsync(room, "state/m.room.member/" + Uri.EscapeDataString(user.UserId))).AssertOkAsync();
            Assert.Equal("join", member.GetProperty("membership").GetString());
            Assert.Equal("Renamed", member.GetProperty("displayname").GetString());
            Assert.Equal("mxc://example.org/face", member.GetProperty("avatar_url").GetString());
        }
        var gone = await (await other.GetRoomAsync(left, "state/m.room.member/" + Uri.EscapeDataString(user.UserId))).AssertOkAsync();
        Assert.Equal("leave", gone.GetProperty("membership").GetString());
        Assert.False(gone.TryGetProperty("displayname", out var name) && name.GetString() == "Renamed");
    }
}
