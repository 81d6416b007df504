using System.Diagnostics;
using System.Globalization;
using Homeserver.Core.Configuration;
using Homeserver.Host.Configuration;
using Homeserver.IntegrationTests.Durability;

namespace Homeserver.IntegrationTests.Cluster;

/// <summary>A node of a cluster as a process of its own, so a test can kill it with SIGKILL.</summary>
public static class ClusterProcessNode
{
    /// <param name="keysDir">Where the nodes share their signing and token keys; the first node to start creates them.</param>
    /// <param name="environment">More config overrides (<c>HOMESERVER__…</c>) for this node.</param>
    /// <param name="port">The port to listen on, where a proxy expects the node; a free one when null.</param>
    public static async Task<(Process Process, Uri BaseUrl)> StartAsync(int index, string serverName, string database, RedisOptions redis, string keysDir,
        Func<string, string>? editConfig = null, IReadOnlyDictionary<string, string>? environment = null, int? port = null)
    {
        var dir = Directory.CreateTempSubdirectory($"hs-node{index}-").FullName;
        port ??= ServerProcess.FreePort();
        var config = Path.Combine(dir, "homeserver.yaml");
        var text = ConfigTemplate.Render(serverName, port.Value, dir, "postgres", database);
        await File.WriteAllTextAsync(config, editConfig is null ? text : editConfig(text));
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        var env = new Dictionary<string, string>
        {
            ["HOMESERVER__DATABASE__INSTANCE_NAME"] = "node" + index.ToString(CultureInfo.InvariantCulture),
            ["HOMESERVER__SIGNING_KEY_PATH"] = Path.Combine(keysDir, "signing.key"),
            ["HOMESERVER__AUTH__TOKEN_KEY_PATH"] = Path.Combine(keysDir, "access_token.key"),
            ["HOMESERVER__REDIS__ENABLED"] = "true",
            ["HOMESERVER__REDIS__CONFIGURATION"] = redis.Configuration,
            ["HOMESERVER__REDIS__PREFIX"] = redis.Prefix,
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            env[k] = v;
        return (await ServerProcess.StartAsync(config, baseUrl, env), baseUrl);
    }
}
