using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

/// <summary>Servers that require a registration token, with one in the config beside the admins' in the database.</summary>
public sealed class TokenRegistrationFixture : HomeserverFixture
{
    public const string ConfiguredToken = "configured-token";

    protected override void Configure(HomeserverOptions options)
    {
        options.Registration.RequireToken = true;
        options.Registration.Tokens = [ConfiguredToken];
    }
}

/// <summary>Synapse's admin API for registration tokens, and their uses counted through real registrations.</summary>
public sealed class RegistrationTokenTests(TokenRegistrationFixture fixture) : IClassFixture<TokenRegistrationFixture>
{
    private const string Tokens = "/_synapse/admin/v1/registration_tokens";

    /// <summary>Registers through the UIA exchange with the token stage; the response of the stage.</summary>
    private static async Task<HttpResponseMessage> RegisterWithTokenAsync(TestHomeserver hs, string token)
    {
        var localpart = "tok" + Guid.NewGuid().ToString("N")[..10];
        var challenge = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = localpart, password = TestHomeserver.DefaultPassword })).JsonAsync();
        Assert.Contains("m.login.registration_token", challenge.GetProperty("flows")[0].GetProperty("stages").EnumerateArray().Select(s => s.GetString()));
        return await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new
        {
            username = localpart,
            password = TestHomeserver.DefaultPassword,
            auth = new { type = "m.login.registration_token", token, session = challenge.GetProperty("session").GetString() },
        });
    }

    private static async Task<bool> ValidAsync(TestHomeserver hs, string token) =>
        (await (await hs.Client.GetAsync("/_matrix/client/v1/register/m.login.registration_token/validity?token=" + Uri.EscapeDataString(token))).AssertOkAsync())
            .GetProperty("valid").GetBoolean();

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Tokens_CreateShowEditListAndDelete(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();

        var random = await (await admin.PostAsJsonAsync(Tokens + "/new", new { })).AssertOkAsync();
        Assert.Equal(16, random.GetProperty("token").GetString()!.Length);
        Assert.Equal(JsonValueKind.Null, random.GetProperty("uses_allowed").ValueKind);
        Assert.Equal(0, random.GetProperty("pending").GetInt32());
        Assert.Equal(0, random.GetProperty("completed").GetInt32());
        Assert.Equal(JsonValueKind.Null, random.GetProperty("expiry_time").ValueKind);
        Assert.Equal(5, (await (await admin.PostAsJsonAsync(Tokens + "/new", new { length = 5 })).AssertOkAsync()).GetProperty("token").GetString()!.Length);

        var name = "Tok_" + Guid.NewGuid().ToString("N")[..8] + ".~-";
        var expiry = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds();
        var made = await (await admin.PostAsJsonAsync(Tokens + "/new", new { token = name, uses_allowed = 3, expiry_time = expiry })).AssertOkAsync();
        Assert.Equal(name, made.GetProperty("token").GetString());
        Assert.Equal(3, made.GetProperty("uses_allowed").GetInt32());
        Assert.Equal(expiry, made.GetProperty("expiry_time").GetInt64());

        var path = Tokens + "/" + Uri.EscapeDataString(name);
        Assert.Equal(3, (await (await admin.GetAsync(path)).AssertOkAsync()).GetProperty("uses_allowed").GetInt32());
        // PUT changes only what it names; null means unlimited or never.
        var edited = await (await admin.PutAsJsonAsync(path, new { uses_allowed = (int?)null })).AssertOkAsync();
        Assert.Equal(JsonValueKind.Null, edited.GetProperty("uses_allowed").ValueKind);
        Assert.Equal(expiry, edited.GetProperty("expiry_time").GetInt64());
        edited = await (await admin.PutAsJsonAsync(path, new { expiry_time = (long?)null, uses_allowed = 0 })).AssertOkAsync();
        Assert.Equal(0, edited.GetProperty("uses_allowed").GetInt32());
        Assert.Equal(JsonValueKind.Null, edited.GetProperty("expiry_time").ValueKind);

        // uses_allowed 0 disables the token: it is listed among the invalid ones only.
        async Task<List<string>> Listed(string query) =>
            (await (await admin.GetAsync(Tokens + query)).AssertOkAsync()).GetProperty("registration_tokens").EnumerateArray().Select(t => t.GetProperty("token").GetString()!).ToList();
        Assert.Contains(name, await Listed(""));
        Assert.Contains(name, await Listed("?valid=false"));
        Assert.DoesNotContain(name, await Listed("?valid=true"));
        Assert.Contains(random.GetProperty("token").GetString()!, await Listed("?valid=true"));
        Assert.False(await ValidAsync(hs, name));

        await (await admin.DeleteAsync(path)).AssertOkAsync();
        await (await admin.GetAsync(path)).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.DeleteAsync(path)).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.PutAsJsonAsync(path, new { uses_allowed = 1 })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Tokens_BadValuesAreInvalidParams(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var name = "dup" + Guid.NewGuid().ToString("N")[..8];
        await (await admin.PostAsJsonAsync(Tokens + "/new", new { token = name })).AssertOkAsync();
        foreach (var body in new object[]
        {
            new { token = name },
            new { token = "has space" },
            new { token = new string('a', 65) },
            new { length = 0 },
            new { length = 65 },
            new { uses_allowed = -1 },
            new { uses_allowed = "two" },
            new { expiry_time = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds() },
        })
            await (await admin.PostAsJsonAsync(Tokens + "/new", body)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync(Tokens + "?valid=perhaps")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Registration_CountsTheTokensUses_AndRefusesItWhenSpent(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var name = "once" + Guid.NewGuid().ToString("N")[..8];
        await (await admin.PostAsJsonAsync(Tokens + "/new", new { token = name, uses_allowed = 1 })).AssertOkAsync();
        Assert.True(await ValidAsync(hs, name));

        var registered = await (await RegisterWithTokenAsync(hs, name)).AssertOkAsync();
        using var client = hs.NewClient(registered.GetProperty("access_token").GetString());
        await (await client.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();

        var used = await (await admin.GetAsync(Tokens + "/" + name)).AssertOkAsync();
        Assert.Equal(1, used.GetProperty("completed").GetInt32());
        Assert.Equal(0, used.GetProperty("pending").GetInt32());
        Assert.False(await ValidAsync(hs, name));
        await (await RegisterWithTokenAsync(hs, name)).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");

        // Another use allowed by the admin lets the next registration through.
        await (await admin.PutAsJsonAsync(Tokens + "/" + name, new { uses_allowed = 2 })).AssertOkAsync();
        await (await RegisterWithTokenAsync(hs, name)).AssertOkAsync();
        Assert.Equal(2, (await (await admin.GetAsync(Tokens + "/" + name)).AssertOkAsync()).GetProperty("completed").GetInt32());

        // The config's token still works and is never counted.
        Assert.True(await ValidAsync(hs, TokenRegistrationFixture.ConfiguredToken));
        await (await RegisterWithTokenAsync(hs, TokenRegistrationFixture.ConfiguredToken)).AssertOkAsync();
        await (await RegisterWithTokenAsync(hs, "no-such-token")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");
    }
}
