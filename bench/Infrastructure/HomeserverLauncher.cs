using System.Diagnostics;

namespace Homeserver.Bench.Infrastructure;

/// <summary>
/// Starts the real server (Homeserver.Host, Release) on loopback with a data directory of its own, SQLite by
/// default or a fresh PostgreSQL database, with the limits that would throttle a load generator lifted.
/// </summary>
public sealed class HomeserverLauncher
{
    public const string ServerName = "bench.local";
    private readonly BenchOptions _options;
    private readonly ThrowawayPostgres? _postgres;
    private readonly List<string> _dataDirs = [];

    public HomeserverLauncher(BenchOptions options, string serverDll, ThrowawayPostgres? postgres)
    {
        _options = options;
        ServerDll = serverDll;
        _postgres = postgres;
    }

    public string ServerDll { get; }
    public string Engine => _postgres is null ? "sqlite" : "postgres";

    /// <summary>Builds the server in Release from the repository and returns its dll.</summary>
    public static async Task<string> BuildAsync(string repoRoot, CancellationToken ct)
    {
        var project = Path.Combine(repoRoot, "Homeserver", "Homeserver.Host", "Homeserver.Host.csproj");
        var psi = new ProcessStartInfo("dotnet", ["build", project, "-c", "Release", "-m:1", "-nologo", "-v:q"]);
        using var p = Process.Start(psi)!;
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0)
            throw new InvalidOperationException("building the server failed");
        return Path.Combine(repoRoot, "Homeserver", "Homeserver.Host", "bin", "Release", "net10.0", "Homeserver.Host.dll");
    }

    public static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Homeserver.sln")))
                return dir.FullName;
        throw new InvalidOperationException("run the benchmark from inside the repository, or give --server-dll and an absolute --out");
    }

    /// <summary>
    /// A fresh data directory with its config; start it (again) with <see cref="StartAsync"/>. With
    /// <paramref name="federation"/>, the server is named after its TLS listener and federates with the other
    /// servers of the same CA on loopback.
    /// </summary>
    /// <param name="node">A node of several sharing one PostgreSQL database and Redis, instead of a server of its own.</param>
    public async Task<ServerInstance> CreateAsync(CancellationToken ct, FederationListener? federation = null, ClusterNode? node = null)
    {
        var dir = Directory.CreateTempSubdirectory("hs-bench-").FullName;
        lock (_dataDirs)
            _dataDirs.Add(dir);
        var connectionString = node?.ConnectionString ?? (_postgres is null ? null : await _postgres.CreateDatabaseAsync(ct));
        var database = connectionString is null
            ? "  engine: sqlite\n"
            : $"  engine: postgres\n  connection_string: \"{connectionString}\"\n" + (node is null ? "" : $"  instance_name: {node.InstanceName}\n");
        var serverName = federation is null ? ServerName : $"localhost:{federation.Port}";
        var yaml = $"""
            server_name: "{serverName}"
            data_dir: {dir}
            log_level: warning
            listeners:
              - bind_address: 127.0.0.1
                # Each start gets a free port of its own (HOMESERVER__LISTENERS__0__PORT).
                port: 0
            {federation?.ListenerYaml}
            database:
            {database}
            {federation?.FederationYaml}
            {node?.Yaml}
            """;
        var config = Path.Combine(dir, "homeserver.yaml");
        await File.WriteAllTextAsync(config, yaml, ct);
        return new ServerInstance(this, dir, config, connectionString, serverName);
    }

    /// <summary>Removes the data directories of every server this launcher created (their processes must have ended).</summary>
    public void DeleteDataDirs()
    {
        lock (_dataDirs)
        {
            foreach (var dir in _dataDirs)
                Directory.Delete(dir, recursive: true);
            _dataDirs.Clear();
        }
    }

    public Task<ChildProcess> StartAsync(ServerInstance instance, CancellationToken ct)
    {
        var env = new Dictionary<string, string>
        {
            ["HOMESERVER__REGISTRATION__ENABLED"] = "true",
            ["HOMESERVER__RATE_LIMITS__ENABLED"] = "false",
            // Every simulated client connects from loopback, which the per-address WebSocket cap would otherwise stop at 100.
            ["HOMESERVER__LIMITS__MAX_WEBSOCKETS_PER_ADDRESS"] = "1000000",
            // Password hashing is not what is measured; the cheap setting keeps creating thousands of users short.
            ["HOMESERVER__AUTH__ARGON2_MEMORY_KIB"] = "64",
            ["HOMESERVER__AUTH__ARGON2_ITERATIONS"] = "1",
            ["HOMESERVER__MEDIA__MAX_UPLOAD_SIZE"] = $"{_options.MediaMegabytes + 10}M",
            ["HOMESERVER__MEDIA__MAX_THUMBNAIL_SOURCE_SIZE"] = $"{_options.MediaMegabytes + 10}M",
        };
        return ChildProcess.StartAsync(ServerDll,
            port => new(["run", "--config", instance.ConfigPath], new Dictionary<string, string>(env)
            {
                ["HOMESERVER__LISTENERS__0__PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }),
            "/_matrix/client/versions", ct, Path.Combine(instance.DataDir, "server.log"));
    }
}

/// <summary>A server's data directory and config; <see cref="PostgresConnection"/> is null on SQLite.</summary>
public sealed record ServerInstance(HomeserverLauncher Launcher, string DataDir, string ConfigPath, string? PostgresConnection, string ServerName)
{
    public Task<ChildProcess> StartAsync(CancellationToken ct) => Launcher.StartAsync(this, ct);
}
