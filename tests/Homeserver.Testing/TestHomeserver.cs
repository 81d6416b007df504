using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Testing;

/// <summary>
/// A real server on real Kestrel, bound to a free loopback port, with its own data directory and a fresh
/// SQLite file or PostgreSQL database. Tests speak HTTP to it like any client. The clients it hands out are
/// disposed when it stops, so a test need not dispose them itself.
/// </summary>
public sealed class TestHomeserver : IAsyncDisposable
{
    public const string ServerName = "test.local";
    public const string DefaultPassword = "correct horse battery";

    private readonly WebApplication _app;
    private readonly ConcurrentBag<HttpClient> _clients = [];

    private TestHomeserver(WebApplication app, HomeserverOptions options, Uri baseAddress)
    {
        _app = app;
        Options = options;
        BaseAddress = baseAddress;
        Client = NewClient();
    }

    public HomeserverOptions Options { get; }
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<TestHomeserver> StartAsync(string engine, Action<HomeserverOptions>? configure = null, string? dataDir = null)
    {
        var options = await CreateOptionsAsync(engine, dataDir);
        configure?.Invoke(options);
        return await StartAsync(options);
    }

    public static async Task<TestHomeserver> StartAsync(HomeserverOptions options, Action<WebApplicationBuilder>? configureBuilder = null)
    {
        var problems = HomeserverOptionsValidator.Validate(options);
        if (problems.Count > 0)
            throw new InvalidOperationException("test config invalid: " + string.Join("; ", problems));
        var app = await HomeserverApp.BuildAsync(options, configureBuilder);
        await app.StartAsync();
        // Clients talk to the plain listener when a server also has a TLS one (for federation).
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var address = addresses.FirstOrDefault(a => a.StartsWith("http:", StringComparison.Ordinal)) ?? addresses.First();
        return new TestHomeserver(app, options, new Uri(address));
    }

    /// <summary>Test defaults: open registration, no rate limits and a cheap password hash, so tests run fast.</summary>
    public static async Task<HomeserverOptions> CreateOptionsAsync(string engine, string? dataDir = null) =>
        CreateOptions(await CreateDatabaseAsync(engine), dataDir ?? Directory.CreateTempSubdirectory("hs-test-").FullName);

    /// <summary>A fresh database on <paramref name="engine"/>: a SQLite file in the data directory, or a new PostgreSQL database.</summary>
    public static async Task<DatabaseOptions> CreateDatabaseAsync(string engine) => engine switch
    {
        "sqlite" => new DatabaseOptions { Engine = "sqlite" },
        "postgres" => new DatabaseOptions { Engine = "postgres", ConnectionString = await TestPostgres.CreateDatabaseAsync() },
        _ => throw new ArgumentException($"unknown engine {engine}"),
    };

    /// <summary>The test defaults on a database and data directory that already exist, for a server started again on its data.</summary>
    public static HomeserverOptions CreateOptions(DatabaseOptions database, string dataDir) => new()
    {
        ServerName = ServerName,
        DataDir = dataDir,
        LogLevel = "Warning",
        Listeners = [new ListenerOptions { BindAddress = "127.0.0.1", Port = 0 }],
        Registration = new RegistrationOptions { Enabled = true },
        Auth = new AuthOptions { Argon2MemoryKib = 64, Argon2Iterations = 1 },
        RateLimits = new RateLimitsOptions { Enabled = false },
        Database = database,
    };

    public HttpClient NewClient(string? accessToken = null)
    {
        var c = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (accessToken is not null)
            c.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        _clients.Add(c);
        return c;
    }

    /// <summary>Registers through the real UIA exchange: the 401 challenge, then the dummy stage.</summary>
    public Task<TestUser> RegisterAsync(string? localpart = null, string password = DefaultPassword) => RegisterAsync(Client, localpart, password);

    /// <summary>Registers through the real UIA exchange on the server <paramref name="client"/> talks to.</summary>
    public static async Task<TestUser> RegisterAsync(HttpClient client, string? localpart = null, string password = DefaultPassword)
    {
        localpart ??= "user" + Guid.NewGuid().ToString("N")[..10];
        var challenge = await client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = localpart, password });
        if ((int)challenge.StatusCode != 401)
            throw new InvalidOperationException($"expected a UIA challenge, got {(int)challenge.StatusCode}: {await challenge.Content.ReadAsStringAsync()}");
        var session = (await challenge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("session").GetString();
        var done = await client.PostAsJsonAsync("/_matrix/client/v3/register", new
        {
            username = localpart,
            password,
            auth = new { type = "m.login.dummy", session },
        });
        var body = await done.Content.ReadFromJsonAsync<JsonElement>();
        if (!done.IsSuccessStatusCode)
            throw new InvalidOperationException($"registration failed: {body}");
        return new TestUser(body.GetProperty("user_id").GetString()!, localpart, password,
            body.GetProperty("access_token").GetString()!, body.GetProperty("device_id").GetString()!);
    }

    public async Task<TestUser> LoginAsync(TestUser user, string? deviceId = null)
    {
        var res = await Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password",
            identifier = new { type = "m.id.user", user = user.Localpart },
            password = user.Password,
            device_id = deviceId,
        });
        var body = await res.Content.ReadFromJsonAsync<JsonElement>();
        if (!res.IsSuccessStatusCode)
            throw new InvalidOperationException($"login failed: {body}");
        return user with { AccessToken = body.GetProperty("access_token").GetString()!, DeviceId = body.GetProperty("device_id").GetString()! };
    }

    public HttpClient ClientFor(TestUser user) => NewClient(user.AccessToken);

    /// <summary>
    /// A server admin and a client signed in as them. The account is made as <c>register-user --admin</c> makes it,
    /// offline of the client API (which cannot make admins), then signs in through the real login.
    /// </summary>
    public async Task<(TestUser User, HttpClient Client)> RegisterAdminAsync()
    {
        var localpart = "admin" + Guid.NewGuid().ToString("N")[..10];
        await Services.GetRequiredService<AccountService>().CreateAsync(localpart, DefaultPassword, admin: true, login: null, CancellationToken.None);
        var user = await LoginAsync(new TestUser($"@{localpart}:{Options.ServerName}", localpart, DefaultPassword, "", ""));
        return (user, ClientFor(user));
    }

    /// <summary>A fresh user (<see cref="RegisterAsync"/>) and a client signed in as them.</summary>
    public async Task<(TestUser User, HttpClient Client)> RegisterClientAsync(string? localpart = null)
    {
        var user = await RegisterAsync(localpart);
        return (user, ClientFor(user));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients)
            c.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
