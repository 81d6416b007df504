using Homeserver.Core.Configuration;
using Xunit;

namespace Homeserver.Testing;

/// <summary>
/// One server per engine shared by a test class, started on first use and stopped when the class ends. Tests on a
/// shared server use fresh user names, so they do not see each other. A subclass changes the servers' config with
/// <see cref="Configure"/>, or how they start with <see cref="StartAsync"/>.
/// </summary>
/// <remarks>
/// xunit 2 ends a fixture through <see cref="IAsyncLifetime"/> (or <see cref="IDisposable"/>) only: a fixture that
/// was merely <see cref="IAsyncDisposable"/> kept its servers running, and polling their databases, to the end of the run.
/// </remarks>
public class HomeserverFixture : IAsyncLifetime
{
    private readonly Dictionary<string, Task<TestHomeserver>> _servers = [];
    private readonly Lock _lock = new();

    public Task<TestHomeserver> GetAsync(string engine)
    {
        lock (_lock)
        {
            if (!_servers.TryGetValue(engine, out var server))
                _servers[engine] = server = StartAsync(engine);
            return server;
        }
    }

    protected virtual Task<TestHomeserver> StartAsync(string engine) => TestHomeserver.StartAsync(engine, Configure);

    protected virtual void Configure(HomeserverOptions options)
    {
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var s in _servers.Values)
            await (await s).DisposeAsync();
    }
}
