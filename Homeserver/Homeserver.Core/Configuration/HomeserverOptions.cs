using Homeserver.Core.Events;

namespace Homeserver.Core.Configuration;

/// <summary>The root of the YAML config. Each property maps to the snake_case key of the same name.</summary>
public sealed class HomeserverOptions
{
    public string ServerName { get; set; } = "";
    public string? PublicBaseurl { get; set; }
    public string DataDir { get; set; } = "";
    /// <summary>Defaults to <c>signing.key</c> in the data directory.</summary>
    public string? SigningKeyPath { get; set; }
    public string LogLevel { get; set; } = "Information";
    public LoggingOptions Logging { get; set; } = new();
    /// <summary>The version of rooms created without one; the spec's default unless an older network needs another.</summary>
    public string DefaultRoomVersion { get; set; } = RoomVersions.Default.Id;
    public List<ListenerOptions> Listeners { get; set; } = [];
    /// <summary>Addresses or CIDR ranges of reverse proxies whose <c>X-Forwarded-For</c> names the client; empty ignores the header.</summary>
    public List<string> TrustedProxies { get; set; } = [];
    public DatabaseOptions Database { get; set; } = new();
    public MediaOptions Media { get; set; } = new();
    public UrlPreviewOptions UrlPreview { get; set; } = new();
    public RegistrationOptions Registration { get; set; } = new();
    public AuthOptions Auth { get; set; } = new();
    public LimitsOptions Limits { get; set; } = new();
    public PresenceOptions Presence { get; set; } = new();
    public ServerNoticesOptions ServerNotices { get; set; } = new();
    public RateLimitsOptions RateLimits { get; set; } = new();
    public PushOptions Push { get; set; } = new();
    public EmailOptions Email { get; set; } = new();
    public IdentityServerOptions IdentityServers { get; set; } = new();
    public CasOptions Cas { get; set; } = new();
    public AccountThreepidDelegatesOptions AccountThreepidDelegates { get; set; } = new();
    public RetentionOptions Retention { get; set; } = new();
    /// <summary>Application-service registration files; relative paths are inside the data directory.</summary>
    public List<string> AppServiceConfigFiles { get; set; } = [];
    public FederationOptions Federation { get; set; } = new();
    public RedisOptions Redis { get; set; } = new();
    public AdminConsoleOptions AdminConsole { get; set; } = new();
    public MetricsOptions Metrics { get; set; } = new();
    public TracingOptions Tracing { get; set; } = new();

    public string ResolvedSigningKeyPath => ResolvePath(SigningKeyPath ?? "signing.key");

    /// <summary>Relative paths in the config are relative to the data directory, so a config can be moved with its data.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(DataDir, path));

    /// <summary>The base URL clients are told to use; falls back to the first listener.</summary>
    public string ClientBaseUrl
    {
        get
        {
            if (!string.IsNullOrEmpty(PublicBaseurl))
                return PublicBaseurl.TrimEnd('/') + "/";
            var l = Listeners.FirstOrDefault() ?? new ListenerOptions();
            var host = l.BindAddress is "0.0.0.0" or "::" ? ServerName : l.BindAddress;
            return $"{(l.Tls is null ? "http" : "https")}://{host}:{l.Port}/";
        }
    }
}
