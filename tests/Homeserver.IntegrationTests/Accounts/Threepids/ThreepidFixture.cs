using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts.Threepids;

/// <summary>
/// Servers that mail through an <see cref="SmtpCatcher"/> and may call identity servers on loopback (the
/// <see cref="FakeIdentityServer"/>, whose certificate no system trusts, hence <c>insecure_skip_tls_verify_for_tests_only</c>).
/// </summary>
public sealed class ThreepidFixture : HomeserverFixture, IAsyncLifetime
{
    private readonly Lazy<Task<FakeIdentityServer>> _identity = new(FakeIdentityServer.StartAsync);

    public SmtpCatcher Smtp { get; } = SmtpCatcher.Start();

    public Task<FakeIdentityServer> IdentityServerAsync() => _identity.Value;

    protected override async Task<TestHomeserver> StartAsync(string engine)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        options.Email = new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = Smtp.Port, NotifFrom = "Test Homeserver <noreply@example.org>" };
        // Guests, to show that a guest's token cannot reset a password either.
        options.Registration.AllowGuestAccess = true;
        options.IdentityServers = new IdentityServerOptions { AllowedIpRanges = ["127.0.0.0/8"], InsecureSkipTlsVerifyForTestsOnly = true };
        options.AccountThreepidDelegates.Msisdn = (await IdentityServerAsync()).Name;
        return await TestHomeserver.StartAsync(options);
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Smtp.DisposeAsync();
        if (_identity.IsValueCreated)
            await (await _identity.Value).DisposeAsync();
    }
}
