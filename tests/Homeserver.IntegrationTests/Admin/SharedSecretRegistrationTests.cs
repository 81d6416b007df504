using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

/// <summary>One server per engine with shared-secret registration switched on, shared by the class.</summary>
public sealed class SharedSecretFixture : HomeserverFixture
{
    public const string Secret = "a shared secret only the deploy script knows";

    protected override void Configure(HomeserverOptions options) => options.Registration.SharedSecret = Secret;
}

public sealed class SharedSecretRegistrationTests(SharedSecretFixture fixture) : IClassFixture<SharedSecretFixture>
{
    private const string RegisterPath = "/_synapse/admin/v1/register";

    /// <summary>Synapse's documented MAC, computed here independently of the server: HMAC-SHA1 over
    /// <c>nonce NUL username NUL password NUL admin|notadmin</c>, keyed by the shared secret, as lower-case hex.</summary>
    private static string Mac(string secret, string nonce, string username, string password, bool admin)
    {
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(secret));
        var message = Encoding.UTF8.GetBytes($"{nonce}\0{username}\0{password}\0{(admin ? "admin" : "notadmin")}");
        return Convert.ToHexStringLower(hmac.ComputeHash(message));
    }

    private static async Task<string> NonceAsync(TestHomeserver hs)
    {
        var body = await (await hs.Client.GetAsync(RegisterPath)).AssertOkAsync();
        var nonce = body.GetProperty("nonce").GetString();
        Assert.False(string.IsNullOrEmpty(nonce));
        return nonce!;
    }

    private static string NewName() => "admin" + Guid.NewGuid().ToString("N")[..10];

    private static Task<HttpResponseMessage> LoginAsync(TestHomeserver hs, string username, string password) =>
        hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password",
            identifier = new { type = "m.id.user", user = username },
            password,
        });

    [Fact]
    public async Task GetNonce_EachCall_ReturnsAFreshNonce()
    {
        var hs = await fixture.GetAsync("sqlite");
        var a = await NonceAsync(hs);
        var b = await NonceAsync(hs);
        Assert.NotEqual(a, b);
        Assert.True(a.Length >= 16, $"nonce '{a}' is too short to be unguessable");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Register_ValidMac_CreatesUserWithWorkingToken(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var nonce = await NonceAsync(hs);
        var username = NewName();
        const string password = "deploy script password";

        var res = await hs.Client.PostAsJsonAsync(RegisterPath, new
        {
            nonce, username, password, admin = false,
            mac = Mac(SharedSecretFixture.Secret, nonce, username, password, admin: false),
        });
        var body = await res.AssertOkAsync();
        var userId = body.GetProperty("user_id").GetString();
        Assert.Equal($"@{username}:{TestHomeserver.ServerName}", userId);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("device_id").GetString()));

        using var client = hs.NewClient(body.GetProperty("access_token").GetString());
        var who = await (await client.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        Assert.Equal(userId, who.GetProperty("user_id").GetString());
        Assert.Equal(body.GetProperty("device_id").GetString(), who.GetProperty("device_id").GetString());

        // The password given is the account's password.
        await (await LoginAsync(hs, username, password)).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Register_AdminWithValidMac_CreatesUser(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var nonce = await NonceAsync(hs);
        var username = NewName();
        const string password = "deploy script password";

        var res = await hs.Client.PostAsJsonAsync(RegisterPath, new
        {
            nonce, username, password, admin = true,
            mac = Mac(SharedSecretFixture.Secret, nonce, username, password, admin: true),
        });
        var body = await res.AssertOkAsync();
        Assert.Equal($"@{username}:{TestHomeserver.ServerName}", body.GetProperty("user_id").GetString());
        using var client = hs.NewClient(body.GetProperty("access_token").GetString());
        await (await client.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Register_WrongMac_IsForbiddenAndCreatesNothing(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        const string password = "deploy script password";

        // Each way of getting the MAC wrong: wrong key, MAC over other fields, admin flag not covered, not hex.
        var cases = new List<(string Username, bool Admin, Func<string, string, string> Mac)>
        {
            (NewName(), false, (nonce, user) => Mac("not the secret", nonce, user, password, admin: false)),
            (NewName(), false, (nonce, user) => Mac(SharedSecretFixture.Secret, nonce, user, "another password", admin: false)),
            (NewName(), false, (nonce, user) => Mac(SharedSecretFixture.Secret, nonce, user + "x", password, admin: false)),
            (NewName(), true, (nonce, user) => Mac(SharedSecretFixture.Secret, nonce, user, password, admin: false)),
            (NewName(), false, (_, _) => "not hex at all"),
            (NewName(), false, (_, _) => ""),
        };
        foreach (var (username, admin, mac) in cases)
        {
            var nonce = await NonceAsync(hs);
            var res = await hs.Client.PostAsJsonAsync(RegisterPath, new { nonce, username, password, admin, mac = mac(nonce, username) });
            await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
            await (await LoginAsync(hs, username, password)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        }
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Register_ReusedNonce_IsRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var nonce = await NonceAsync(hs);
        const string password = "deploy script password";
        var first = NewName();
        await (await hs.Client.PostAsJsonAsync(RegisterPath, new
        {
            nonce, username = first, password, mac = Mac(SharedSecretFixture.Secret, nonce, first, password, admin: false),
        })).AssertOkAsync();

        // A correct MAC over the spent nonce (e.g. a replayed request for another name) is refused.
        var second = NewName();
        var replay = await hs.Client.PostAsJsonAsync(RegisterPath, new
        {
            nonce, username = second, password, mac = Mac(SharedSecretFixture.Secret, nonce, second, password, admin: false),
        });
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        await (await LoginAsync(hs, second, password)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Register_NonceSpentByWrongMac_CannotBeRetried(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var nonce = await NonceAsync(hs);
        const string password = "deploy script password";
        var username = NewName();
        await (await hs.Client.PostAsJsonAsync(RegisterPath, new { nonce, username, password, mac = Mac("a guess", nonce, username, password, false) }))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        // One guess per nonce: otherwise a nonce would let an attacker try secrets at leisure.
        var retry = await hs.Client.PostAsJsonAsync(RegisterPath, new
        {
            nonce, username, password, mac = Mac(SharedSecretFixture.Secret, nonce, username, password, admin: false),
        });
        Assert.Equal(HttpStatusCode.BadRequest, retry.StatusCode);
    }

    [Fact]
    public async Task Register_UnknownNonce_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        const string password = "deploy script password";
        var username = NewName();
        const string nonce = "a-nonce-the-server-never-issued";
        var res = await hs.Client.PostAsJsonAsync(RegisterPath, new
        {
            nonce, username, password, mac = Mac(SharedSecretFixture.Secret, nonce, username, password, admin: false),
        });
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        await (await LoginAsync(hs, username, password)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Fact]
    public async Task Register_WithoutSharedSecretConfigured_IsForbidden()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite");
        Assert.True(string.IsNullOrEmpty(hs.Options.Registration.SharedSecret));
        await (await hs.Client.GetAsync(RegisterPath)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        // Not even a MAC keyed with an empty secret gets in.
        const string nonce = "anything";
        const string password = "deploy script password";
        var username = NewName();
        var res = await hs.Client.PostAsJsonAsync(RegisterPath, new { nonce, username, password, mac = Mac("", nonce, username, password, admin: false) });
        await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await LoginAsync(hs, username, password)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }
}
