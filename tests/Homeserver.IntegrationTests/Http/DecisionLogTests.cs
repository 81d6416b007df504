using System.Net;
using System.Net.Http.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Homeserver.IntegrationTests.Http;

/// <summary>The decisions an operator looks for are in the log with their reason: refused logins and registrations, rate limits, revoked sessions, start-up facts.</summary>
public sealed class DecisionLogTests
{
    /// <summary>A server logging at Information, as the sample config does, into <paramref name="logs"/>.</summary>
    internal static async Task<TestHomeserver> StartLoggingAsync(CapturingLoggerProvider logs, Action<HomeserverOptions>? configure = null)
    {
        var options = await TestHomeserver.CreateOptionsAsync("sqlite");
        options.LogLevel = "Information";
        configure?.Invoke(options);
        return await TestHomeserver.StartAsync(options, b => b.Services.AddSingleton<ILoggerProvider>(logs));
    }

    private static Task<HttpResponseMessage> LoginAsync(TestHomeserver hs, string user, string password) =>
        hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.password", identifier = new { type = "m.id.user", user }, password });

    [Fact]
    public async Task RefusedLogins_AreLoggedWithTheirReason()
    {
        var logs = new CapturingLoggerProvider();
        await using var hs = await StartLoggingAsync(logs);
        var user = await hs.RegisterAsync();

        await (await LoginAsync(hs, user.Localpart, "not the password")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await LoginAsync(hs, "nobody-here", "not the password")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        Assert.Contains(logs.Lines, l => l.StartsWith($"Information Homeserver.Core.Accounts.AccountService: Login refused for {user.UserId}: wrong password", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains($"Login refused for @nobody-here:{TestHomeserver.ServerName}: no such user", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("not the password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RateLimitHit_IsLoggedWithTheLimitsConfigKey()
    {
        var logs = new CapturingLoggerProvider();
        await using var hs = await StartLoggingAsync(logs, o => o.RateLimits = new RateLimitsOptions
        {
            Login = new RateLimitOptions { PerSecond = 0.001, BurstCount = 1 },
        });

        await (await LoginAsync(hs, "someone", "a password")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await LoginAsync(hs, "someone", "a password")).AssertErrorAsync(HttpStatusCode.TooManyRequests, "M_LIMIT_EXCEEDED");

        var line = Assert.Single(logs.Lines, l => l.Contains("Rate limit", StringComparison.Ordinal));
        Assert.StartsWith("Information ", line);
        Assert.Contains("Rate limit rate_limits.login refused POST /_matrix/client/v3/login", line);
    }

    [Fact]
    public async Task WrongRegistrationToken_IsLoggedWithTheReason()
    {
        var logs = new CapturingLoggerProvider();
        await using var hs = await StartLoggingAsync(logs, o =>
        {
            o.Registration.RequireToken = true;
            o.Registration.Tokens = ["the-real-token"];
        });
        var challenge = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "tokenless", password = TestHomeserver.DefaultPassword })).JsonAsync();
        var session = challenge.GetProperty("session").GetString();

        var wrong = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new
        {
            username = "tokenless", password = TestHomeserver.DefaultPassword, auth = new { type = "m.login.registration_token", token = "a-guessed-token", session },
        });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        Assert.Contains(logs.Lines, l => l.Contains("UIA stage m.login.registration_token of POST /register failed for a new account: unknown, used up or expired token", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("a-guessed-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogoutAll_IsLoggedWithTheRevokedSessions()
    {
        var logs = new CapturingLoggerProvider();
        await using var hs = await StartLoggingAsync(logs);
        var user = await hs.RegisterAsync();
        var second = await hs.LoginAsync(user);
        using var c = hs.ClientFor(second);

        await (await c.PostAsJsonAsync("/_matrix/client/v3/logout/all", new { })).AssertOkAsync();

        Assert.Contains(logs.Lines, l => l.Contains($"Deleted 2 devices of {user.UserId}", StringComparison.Ordinal) && l.Contains("revoking 2 sessions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Startup_LogsServerNameDatabaseAndSchema()
    {
        var logs = new CapturingLoggerProvider();
        await using var hs = await StartLoggingAsync(logs);

        Assert.Contains(logs.Lines, l => l.Contains("Migrated the SQLite database", StringComparison.Ordinal) && l.Contains("to schema version", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains($"Homeserver {TestHomeserver.ServerName} started on the SQLite database", StringComparison.Ordinal)
            && l.Contains(hs.BaseAddress.Authority, StringComparison.Ordinal));
    }
}
