namespace Homeserver.Bench.Infrastructure;

/// <summary>
/// One node of several serving one homeserver: the shared database under its own writer name, Redis between the
/// nodes, and the signing and access-token keys the first node created, so a token issued by one is good on all.
/// </summary>
public sealed record ClusterNode(string ConnectionString, string RedisAddress, string KeyDir, string InstanceName)
{
    public string Yaml => $"""
        signing_key_path: {Path.Combine(KeyDir, "signing.key")}
        auth:
          token_key_path: {Path.Combine(KeyDir, "access_token.key")}
        redis:
          enabled: true
          configuration: {RedisAddress}
        """;
}
