using System.Collections.Concurrent;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts.Sso;

/// <summary>Servers that sign users in through a <see cref="FakeCasServer"/> on loopback, with a clock a test can move forward.</summary>
public sealed class CasFixture : HomeserverFixture, IAsyncLifetime
{
    private readonly Lazy<Task<FakeCasServer>> _cas = new(FakeCasServer.StartAsync);

    public ConcurrentDictionary<string, OpenIdTests.ShiftedTime> Clocks { get; } = new();

    public Task<FakeCasServer> CasAsync() => _cas.Value;

    protected override async Task<TestHomeserver> StartAsync(string engine)
    {
        var cas = await CasAsync();
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        options.Cas = new CasOptions
        {
            Enabled = true,
            ServerUrl = cas.ServerUrl,
            DisplaynameAttribute = "name",
            AllowedIpRanges = ["127.0.0.0/8"],
        };
        var clock = Clocks.GetOrAdd(engine, _ => new OpenIdTests.ShiftedTime());
        return await TestHomeserver.StartAsync(options, b => b.Services.AddSingleton<TimeProvider>(clock));
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_cas.IsValueCreated)
            await (await _cas.Value).DisposeAsync();
    }
}
