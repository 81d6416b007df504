using Homeserver.Core.Configuration;

namespace Homeserver.Testing;

/// <summary>
/// One server per engine shared by a test class, started on first use. Tests on a shared server use
/// fresh user names, so they do not see each other. A subclass changes the servers' config with <see cref="Configure"/>.
/// </summary>
public class HomeserverFixture : IAsyncDisposable
{
    private readonly Dictionary<string, Task<TestHomeserver>> _servers = [];
    private readonly Lock _lock = new();

    public Task<TestHomeserver> GetAsync(string engine)
    {
        lock (_lock)
        {
            if (!_servers.TryGetValue(engine, out var server))
                _servers[engine] = server = TestHomeserver.StartAsync(engine, Configure);
            return server;
        }
    }

    protected virtual void Configure(HomeserverOptions options)
    {
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _servers.Values)
            await (await s).DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
