using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts;

public sealed class PasswordTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string PasswordPath = "/_matrix/client/v3/account/password";
    private const string DeactivatePath = "/_matrix/client/v3/account/deactivate";

    private static object PasswordAuth(TestUser user, string? session, string? password = null) => new
    {
        type = "m.login.password",
        identifier = new { type = "m.id.user", user = user.Localpart },
        password = password ?? user.Password,
        session,
    };

    private static Task<HttpResponseMessage> LoginAsync(TestHomeserver hs, string localpart, string password) =>
        hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password",
            identifier = new { type = "m.id.user", user = localpart },
            password,
        });

    /// <summary>Changes the password through the full UIA exchange, authenticating with the user's current password.</summary>
    private static async Task ChangePasswordAsync(TestHomeserver hs, TestUser user, string newPassword, bool? logoutDevices = null)
    {
        using var client = hs.ClientFor(user);
        object Body(object? auth) => logoutDevices is { } l
            ? new { new_password = newPassword, logout_devices = l, auth }
            : new { new_password = newPassword, auth };
        var session = await SessionAssertions.AssertPasswordChallengeAsync(await client.PostAsJsonAsync(PasswordPath, Body(null)));
        var done = await client.PostAsJsonAsync(PasswordPath, Body(PasswordAuth(user, session)));
        var body = await done.AssertOkAsync();
        Assert.Empty(body.EnumerateObject());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ChangePassword_WithUia_OldPasswordStopsWorkingAndNewOneWorks(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        const string newPassword = "a brand new passphrase";

        await ChangePasswordAsync(hs, user, newPassword);

        await (await LoginAsync(hs, user.Localpart, user.Password)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var login = await (await LoginAsync(hs, user.Localpart, newPassword)).AssertOkAsync();
        Assert.Equal(user.UserId, login.GetProperty("user_id").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ChangePassword_WrongCurrentPassword_Is401ForbiddenAndChangesNothing(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var session = await SessionAssertions.AssertPasswordChallengeAsync(await client.PostAsJsonAsync(PasswordPath, new { new_password = "attacker's choice" }));

        var res = await client.PostAsJsonAsync(PasswordPath, new { new_password = "attacker's choice", auth = PasswordAuth(user, session, "a wrong guess") });
        var body = await res.AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");
        Assert.Equal(session, body.GetProperty("session").GetString());

        await (await LoginAsync(hs, user.Localpart, "attacker's choice")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await LoginAsync(hs, user.Localpart, user.Password)).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ChangePassword_WithAnotherUsersCredentials_IsForbidden(string engine)
    {
        // Checklist row 18, on the password endpoint.
        var hs = await fixture.GetAsync(engine);
        var (victim, client) = await hs.RegisterClientAsync();
        var attacker = await hs.RegisterAsync(password: "attacker password");
        var session = await SessionAssertions.AssertPasswordChallengeAsync(await client.PostAsJsonAsync(PasswordPath, new { new_password = "attacker's choice" }));

        var res = await client.PostAsJsonAsync(PasswordPath, new { new_password = "attacker's choice", auth = PasswordAuth(attacker, session) });
        await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await LoginAsync(hs, victim.Localpart, victim.Password)).AssertOkAsync();
    }

    [Fact]
    public async Task ChangePassword_WithANameThatIsNoUserId_IsForbidden()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (user, client) = await hs.RegisterClientAsync();
        var session = await SessionAssertions.AssertPasswordChallengeAsync(await client.PostAsJsonAsync(PasswordPath, new { new_password = "a new password" }));

        var res = await client.PostAsJsonAsync(PasswordPath, new { new_password = "a new password", auth = PasswordAuth(user with { Localpart = "a:b" }, session) });
        await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await LoginAsync(hs, user.Localpart, user.Password)).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ChangePassword_DefaultLogoutDevices_RevokesOtherDevicesButNotRequester(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var other1 = await hs.LoginAsync(user);
        var other2 = await hs.LoginAsync(user);

        await ChangePasswordAsync(hs, user, "another fine passphrase");

        await hs.AssertTokenWorksAsync(user);
        await hs.AssertTokenRevokedAsync(other1);
        await hs.AssertTokenRevokedAsync(other2);
        var devices = (await (await client.GetAsync("/_matrix/client/v3/devices")).AssertOkAsync()).GetProperty("devices");
        Assert.Equal([user.DeviceId], devices.EnumerateArray().Select(d => d.GetProperty("device_id").GetString()));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ChangePassword_LogoutDevicesFalse_KeepsOtherDevices(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        var other = await hs.LoginAsync(user);

        await ChangePasswordAsync(hs, user, "another fine passphrase", logoutDevices: false);

        await hs.AssertTokenWorksAsync(user);
        await hs.AssertTokenWorksAsync(other);
        await (await LoginAsync(hs, user.Localpart, "another fine passphrase")).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ChangePassword_LogoutDevicesTrue_RevokesOtherDevices(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        var other = await hs.LoginAsync(user);

        await ChangePasswordAsync(hs, user, "another fine passphrase", logoutDevices: true);

        await hs.AssertTokenWorksAsync(user);
        await hs.AssertTokenRevokedAsync(other);
    }

    [Fact]
    public async Task ChangePassword_ShorterThanEight_IsWeakAndChangesNothing()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (user, client) = await hs.RegisterClientAsync();

        var bare = await client.PostAsJsonAsync(PasswordPath, new { new_password = "1234567" });
        await bare.AssertErrorAsync(HttpStatusCode.BadRequest, "M_WEAK_PASSWORD");

        // Even with a valid password stage the weak password is refused.
        var session = await SessionAssertions.AssertPasswordChallengeAsync(await client.PostAsJsonAsync(PasswordPath, new { new_password = "12345678" }));
        var withAuth = await client.PostAsJsonAsync(PasswordPath, new { new_password = "1234567", auth = PasswordAuth(user, session) });
        await withAuth.AssertErrorAsync(HttpStatusCode.BadRequest, "M_WEAK_PASSWORD");

        await (await LoginAsync(hs, user.Localpart, "1234567")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await LoginAsync(hs, user.Localpart, user.Password)).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Deactivate_WithUia_EndsAccountForGood(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var other = await hs.LoginAsync(user);

        var session = await SessionAssertions.AssertPasswordChallengeAsync(await client.PostAsJsonAsync(DeactivatePath, new { }));
        await hs.AssertTokenWorksAsync(user);

        var done = await client.PostAsJsonAsync(DeactivatePath, new { auth = PasswordAuth(user, session) });
        var body = await done.AssertOkAsync();
        // Nothing was bound at an identity server, so nothing failed to unbind (Synapse answers the same).
        Assert.Equal("success", body.GetProperty("id_server_unbind_result").GetString());

        await hs.AssertTokenRevokedAsync(user);
        await hs.AssertTokenRevokedAsync(other);

        // Checklist row 15: the old password gets M_USER_DEACTIVATED, not a generic failure.
        await (await LoginAsync(hs, user.Localpart, user.Password)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_USER_DEACTIVATED");

        // The ID stays reserved.
        var again = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = user.Localpart, password = "a new owner's password" });
        await again.AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");
        await (await hs.Client.GetAsync("/_matrix/client/v3/register/available?username=" + user.Localpart))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Deactivate_WrongPassword_KeepsAccount(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var session = await SessionAssertions.AssertPasswordChallengeAsync(await client.PostAsJsonAsync(DeactivatePath, new { }));

        var res = await client.PostAsJsonAsync(DeactivatePath, new { auth = PasswordAuth(user, session, "wrong password!") });
        await res.AssertErrorAsync(HttpStatusCode.Unauthorized, "M_FORBIDDEN");

        await hs.AssertTokenWorksAsync(user);
        await (await LoginAsync(hs, user.Localpart, user.Password)).AssertOkAsync();
    }

    [Fact]
    public async Task Passwords_AfterRegisterAndChange_NeverStoredInPlaintext()
    {
        // Checklist row 22: the database holds password hashes only, never the passwords, even in freed pages or the WAL.
        var hs = await fixture.GetAsync("sqlite");
        var first = "first-plaintext-" + Guid.NewGuid().ToString("N");
        var second = "second-plaintext-" + Guid.NewGuid().ToString("N");
        var user = await hs.RegisterAsync(password: first);

        await ChangePasswordAsync(hs, user, second);
        // The change really happened, so the second password really went through the server.
        await (await LoginAsync(hs, user.Localpart, second)).AssertOkAsync();
        await (await LoginAsync(hs, user.Localpart, first)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        var dbPath = hs.Options.ResolvePath(hs.Options.Database.SqlitePath);
        Assert.True(File.Exists(dbPath), $"no SQLite database at {dbPath}");
        var contents = new Dictionary<string, byte[]>();
        foreach (var file in new[] { dbPath, dbPath + "-wal", dbPath + "-journal" }.Where(File.Exists))
        {
            // The server has the files open; share rather than lock them.
            await using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var ms = new MemoryStream();
            await fs.CopyToAsync(ms);
            contents[Path.GetFileName(file)] = ms.ToArray();
        }

        // The scan reads the right data: the user's ID is stored somewhere in these files...
        Assert.Contains(contents.Values, bytes => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(user.UserId)) >= 0);
        // ...and neither password is, as UTF-8 or UTF-16 text.
        foreach (var (name, bytes) in contents)
            foreach (var password in new[] { first, second })
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(password)) < 0, $"plaintext password found in {name}");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(password)) < 0, $"UTF-16 password found in {name}");
            }
    }
}
