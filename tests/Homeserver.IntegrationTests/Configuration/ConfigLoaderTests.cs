using System.Collections;
using Homeserver.Core.Configuration;
using Homeserver.Host.Configuration;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Configuration;

public sealed class ConfigLoaderTests
{
    private static readonly string Sample = ConfigTemplate.Render("example.org", 8008, "./data", "sqlite", null);
    private static readonly IDictionary NoEnv = new Hashtable();

    private static ConfigException Fails(string yaml, IDictionary? env = null) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Load(yaml, env ?? NoEnv));

    [Fact]
    public void Redis_IsOffByDefault_AndNeedsPostgresAndAConfigurationWhenOn()
    {
        Assert.False(ConfigLoader.Load(Sample, NoEnv).Redis.Enabled);
        var onSqlite = Fails(Sample.Replace("redis:\n  enabled: false", "redis:\n  enabled: true"));
        Assert.Contains("postgres", Assert.Single(onSqlite.Problems, p => p.Key == "redis.enabled").Reason);
        var postgres = ConfigTemplate.Render("example.org", 8008, "./data", "postgres", "Host=db;Username=hs")
            .Replace("redis:\n  enabled: false", "redis:\n  enabled: true");
        Assert.True(ConfigLoader.Load(postgres, NoEnv).Redis.Enabled);
        var empty = Fails(postgres.Replace("configuration: 127.0.0.1:6379", "configuration: \"\""));
        Assert.Single(empty.Problems, p => p.Key == "redis.configuration");
        var unparsable = Fails(postgres.Replace("configuration: 127.0.0.1:6379", "configuration: \"127.0.0.1,connectTimeout=soon\""));
        Assert.Single(unparsable.Problems, p => p.Key == "redis.configuration");
    }

    [Fact]
    public void Observability_IsOffByDefault_AndBadValuesNameTheirKey()
    {
        var o = ConfigLoader.Load(Sample, NoEnv);
        Assert.False(o.Metrics.Enabled);
        Assert.Equal("127.0.0.1", o.Metrics.BindAddress);
        Assert.False(o.Tracing.Enabled);
        Assert.Empty(o.Tracing.TrustedDestinations);
        Assert.Equal("text", o.Logging.Format);
        var onClientPort = Fails(Sample.Replace("metrics:\n  enabled: false", "metrics:\n  enabled: true").Replace("port: 9000", "port: 8008"));
        Assert.Contains("client listener", Assert.Single(onClientPort.Problems, p => p.Key == "metrics.port").Reason);
        Assert.Single(Fails(Sample.Replace("format: text", "format: xml")).Problems, p => p.Key == "logging.format");
        var tracing = Fails(Sample.Replace("tracing:\n  enabled: false", "tracing:\n  enabled: true")
            .Replace("otlp_endpoint: http://127.0.0.1:4317", "otlp_endpoint: collector:4317")
            .Replace("sample_ratio: 1", "sample_ratio: 2")
            .Replace("trusted_destinations: []", "trusted_destinations: [\"not a server\"]"));
        Assert.Equal(["tracing.otlp_endpoint", "tracing.sample_ratio", "tracing.trusted_destinations.0"], tracing.Problems.Select(p => p.Key).Order());
    }

    [Fact]
    public void Sample_LoadsWithDefaults()
    {
        var o = ConfigLoader.Load(Sample, NoEnv);
        Assert.Equal("example.org", o.ServerName);
        Assert.Equal(8008, Assert.Single(o.Listeners).Port);
        Assert.Equal("sqlite", o.Database.Engine);
        Assert.Equal(50L << 20, o.Media.MaxUploadSize.Bytes);
        Assert.Equal(TimeSpan.FromMinutes(5), o.Auth.AccessTokenLifetime.Value);
        Assert.False(o.Registration.Enabled);
        Assert.Null(o.Registration.SharedSecret);
        Assert.Equal(0.2, o.RateLimits.Message.PerSecond);
        Assert.Equal("12", o.DefaultRoomVersion);
    }

    [Fact]
    public void CommittedSample_IsTheGeneratorOutput()
    {
        var root = RepositoryPaths.Root;
        var committed = File.ReadAllText(Path.Combine(root, "config.sample.yaml"));
        Assert.Equal(ConfigTemplate.Render("localhost", 8008, "./data", "sqlite", null), committed);
    }

    [Fact]
    public void Sample_DocumentsEveryOptionKey()
    {
        var flat = YamlFlattener.Flatten(Sample.Replace("tokens: []", "tokens: [x]").Replace("audiences: []", "audiences: [x]").Replace("allowed_ip_ranges: []", "allowed_ip_ranges: [x]").Replace("trusted_proxies: []", "trusted_proxies: [x]").Replace("trusted_destinations: []", "trusted_destinations: [x]").Replace("app_service_config_files: []", "app_service_config_files: [x]")
            .Replace("required_attributes: []", "required_attributes: [{name: x, value: y}]")
            .Replace("purge_jobs: []", "purge_jobs: [{interval: 1d, shortest_max_lifetime: 1d, longest_max_lifetime: 2d}]")
            .Replace("url_blacklist: []", "url_blacklist: [{scheme: a, netloc: b, hostname: c, port: d, path: e, query: f, fragment: g, username: h, password: i}]")
            .Replace("denied_ip_ranges: []", "denied_ip_ranges: [x]").Replace("trusted_key_servers: []", "trusted_key_servers: [{server_name: x, key_id: y, key: z}]")
            .Replace("    # tls:\n    #   certificate_path: /etc/homeserver/fullchain.pem\n    #   key_path: /etc/homeserver/privkey.pem", "    tls:\n      certificate_path: a\n      key_path: b"));
        var missing = AllKeys(typeof(HomeserverOptions), "").Where(k => !flat.Keys.Any(f => Normalise(f).StartsWith(k, StringComparison.Ordinal))).ToList();
        // connection_string is documented in the postgres variant of the template.
        missing.Remove("database.connection_string");
        Assert.Empty(missing);
        Assert.Contains("connection_string", ConfigTemplate.Render("x", 1, "d", "postgres", "Host=h"));
    }

    [Fact]
    public void MissingServerName_NamesTheKey()
    {
        var e = Fails(Sample.Replace("server_name: example.org", "server_name:"));
        Assert.Contains(e.Problems, p => p.Key == "server_name" && p.Reason.Contains("required"));
    }

    [Theory]
    [InlineData("port: 8008", "port: eighty", "listeners.0.port", "whole number")]
    [InlineData("max_upload_size: 50M", "max_upload_size: lots", "media.max_upload_size", "size")]
    [InlineData("access_token_lifetime: 5m", "access_token_lifetime: soon", "auth.access_token_lifetime", "duration")]
    [InlineData("engine: sqlite", "engine: oracle", "database.engine", "sqlite or postgres")]
    [InlineData("enabled: false\n  # Secret", "enabled: maybe\n  # Secret", "registration.enabled", "boolean")]
    [InlineData("bind_address: 127.0.0.1", "bind_address: not-an-ip", "listeners.0.bind_address", "IP address")]
    [InlineData("per_second: 0.2", "per_second: -1", "rate_limits.message.per_second", "positive")]
    [InlineData("allowed_ip_ranges: []", "allowed_ip_ranges: [10.0.0.0/33]", "push.allowed_ip_ranges.0", "CIDR")]
    [InlineData("trusted_proxies: []", "trusted_proxies: [127.0.0.1, proxy.example.org]", "trusted_proxies.1", "CIDR")]
    [InlineData("retry_max: 10m", "retry_max: 100ms", "push.retry_max", "retry_initial")]
    [InlineData("vapid_subject:", "vapid_subject: admin@example.org", "push.vapid_subject", "mailto")]
    [InlineData("max_age: 1d", "max_age: 0s", "push.max_age", "positive")]
    [InlineData("denied_ip_ranges: []", "denied_ip_ranges: [10.0.0.0/8, somewhere]", "federation.denied_ip_ranges.1", "CIDR")]
    [InlineData("request_timeout: 60s", "request_timeout: 0s", "federation.request_timeout", "positive")]
    [InlineData("extra_ca_bundle:", "extra_ca_bundle: no-such-ca.pem", "federation.extra_ca_bundle", "does not exist")]
    [InlineData("trusted_key_servers: []", "trusted_key_servers: [{server_name: notary.example, key_id: ed25519:a}]", "federation.trusted_key_servers.0.key", "together")]
    [InlineData("trusted_key_servers: []", "trusted_key_servers: [{server_name: notary.example, key_id: ed25519:a, key: short}]", "federation.trusted_key_servers.0.key", "32-byte")]
    [InlineData("default_room_version: \"12\"", "default_room_version: \"13\"", "default_room_version", "not a room version")]
    [InlineData("storage: filesystem", "storage: nfs", "media.storage", "filesystem or s3")]
    [InlineData("storage: filesystem", "storage: s3", "media.s3.endpoint", "required")]
    [InlineData("storage: filesystem", "storage: s3", "media.s3.bucket", "bucket name")]
    [InlineData("storage: filesystem", "storage: s3", "media.s3.secret_key", "required")]
    public void BadValue_NamesTheDottedKeyAndReason(string find, string replace, string key, string reason)
    {
        Assert.Contains(find, Sample);
        var e = Fails(Sample.Replace(find, replace));
        var p = Assert.Single(e.Problems, p => p.Key == key);
        Assert.Contains(reason, p.Reason);
        Assert.Contains(key, e.Message);
    }

    [Theory]
    [InlineData("https://s3.example.org", "bucket", "media.s3.endpoint", "without a scheme")]
    [InlineData("s3.example.org:9000", "Media_Bucket", "media.s3.bucket", "bucket name")]
    public void S3Storage_NamesTheBadKey(string endpoint, string bucket, string key, string reason)
    {
        var e = Fails(S3Sample(endpoint, bucket));
        var p = Assert.Single(e.Problems);
        Assert.Equal(key, p.Key);
        Assert.Contains(reason, p.Reason);
    }

    [Fact]
    public void S3Storage_Complete_IsAccepted()
    {
        var o = ConfigLoader.Load(S3Sample("s3.example.org:9000", "media"), NoEnv);
        Assert.Equal("s3", o.Media.Storage);
        Assert.Equal("s3.example.org:9000", o.Media.S3.Endpoint);
        Assert.Equal("media", o.Media.S3.Bucket);
        Assert.True(o.Media.S3.PathStyle);
    }

    private static string S3Sample(string endpoint, string bucket) => Sample.Replace("storage: filesystem", "storage: s3")
        .Replace("    endpoint:\n", $"    endpoint: {endpoint}\n").Replace("    bucket:\n", $"    bucket: {bucket}\n")
        .Replace("    access_key:\n", "    access_key: key\n").Replace("    secret_key:\n", "    secret_key: secret\n");

    [Fact]
    public void UnknownKey_IsReportedNotIgnored()
    {
        var e = Fails(Sample.Replace("database:\n", "database:\n  conection_string: typo\n"));
        Assert.Contains(e.Problems, p => p.Key == "database.conection_string" && p.Reason == "unknown key");
    }

    [Fact]
    public void PostgresWithoutConnectionString_IsRefused()
    {
        var e = Fails(Sample.Replace("engine: sqlite", "engine: postgres"));
        Assert.Contains(e.Problems, p => p.Key == "database.connection_string");
    }

    [Fact]
    public void YamlSyntaxError_IsReportedWithLine()
    {
        var e = Fails("server_name: [unclosed\n");
        Assert.Contains("line", Assert.Single(e.Problems).Reason);
    }

    [Fact]
    public void EnvironmentVariables_OverrideEveryLevel()
    {
        var env = new Hashtable
        {
            ["HOMESERVER__SERVER_NAME"] = "override.example",
            ["HOMESERVER__LISTENERS__0__PORT"] = "9009",
            ["HOMESERVER__DATABASE__ENGINE"] = "postgres",
            ["HOMESERVER__DATABASE__CONNECTION_STRING"] = "Host=db;Username=hs",
            ["HOMESERVER__REGISTRATION__TOKENS__0"] = "tok",
            ["homeserver__rate_limits__login__burst_count"] = "7",
            ["UNRELATED"] = "ignored",
        };
        var o = ConfigLoader.Load(Sample, env);
        Assert.Equal("override.example", o.ServerName);
        Assert.Equal(9009, o.Listeners[0].Port);
        Assert.Equal("postgres", o.Database.Engine);
        Assert.Equal("Host=db;Username=hs", o.Database.ConnectionString);
        Assert.Equal(["tok"], o.Registration.Tokens);
        Assert.Equal(7, o.RateLimits.Login.BurstCount);
    }

    [Fact]
    public void EnvironmentVariable_WithBadValue_NamesTheKey()
    {
        var e = Fails(Sample, new Hashtable { ["HOMESERVER__LISTENERS__0__PORT"] = "http" });
        Assert.Contains(e.Problems, p => p.Key == "listeners.0.port");
    }

    [Fact]
    public void TlsWithMissingFiles_IsRefused()
    {
        var yaml = Sample.Replace("    # tls:\n    #   certificate_path: /etc/homeserver/fullchain.pem\n    #   key_path: /etc/homeserver/privkey.pem",
            "    tls:\n      certificate_path: /nonexistent/cert.pem\n      key_path: /nonexistent/key.pem");
        var e = Fails(yaml);
        Assert.Contains(e.Problems, p => p.Key == "listeners.0.tls.certificate_path");
        Assert.Contains(e.Problems, p => p.Key == "listeners.0.tls.key_path");
    }

    private static string Normalise(string key) => string.Join('.', key.Split('.').Where(s => !int.TryParse(s, out _)));

    private static IEnumerable<string> AllKeys(Type t, string prefix)
    {
        foreach (var p in t.GetProperties().Where(p => p.CanWrite))
        {
            var snake = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);
            var key = prefix + snake;
            var type = OptionsShapeChecker.ListElementType(p.PropertyType) ?? Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (type.IsClass && type != typeof(string))
                foreach (var k in AllKeys(type, key + "."))
                    yield return k;
            else
                yield return key;
        }
    }
}
