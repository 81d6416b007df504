using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Configuration;

/// <summary>Checks a bound config before anything starts, so a mistake stops the server with the key that caused it.</summary>
public static class HomeserverOptionsValidator
{
    public static IReadOnlyList<ConfigProblem> Validate(HomeserverOptions o)
    {
        var p = new List<ConfigProblem>();
        if (string.IsNullOrWhiteSpace(o.ServerName))
            p.Add(new("server_name", "is required"));
        else if (!ServerNames.IsValid(o.ServerName))
            p.Add(new("server_name", $"'{o.ServerName}' is not a valid server name (host name or IP literal, optional :port)"));
        if (!string.IsNullOrEmpty(o.PublicBaseurl) &&
            (!Uri.TryCreate(o.PublicBaseurl, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")))
            p.Add(new("public_baseurl", $"'{o.PublicBaseurl}' is not an absolute http(s) URL"));
        if (string.IsNullOrWhiteSpace(o.DataDir))
            p.Add(new("data_dir", "is required"));
        if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(o.LogLevel, ignoreCase: true, out _))
            p.Add(new("log_level", $"'{o.LogLevel}' is not one of trace, debug, information, warning, error, critical, none"));
        if (!RoomVersions.TryGet(o.DefaultRoomVersion, out _))
            p.Add(new("default_room_version", $"'{o.DefaultRoomVersion}' is not a room version this server supports ({string.Join(", ", RoomVersions.All.Select(v => v.Id))})"));
        ValidateListeners(o.Listeners, p);
        for (var i = 0; i < o.TrustedProxies.Count; i++)
            if (!IpRanges.TryParse(o.TrustedProxies[i], out _))
                p.Add(new($"trusted_proxies.{i}", $"'{o.TrustedProxies[i]}' is not an IP address or CIDR range such as 10.0.0.0/8"));
        for (var i = 0; i < o.AdminConsole.AllowedNetworks.Count; i++)
            if (!IpRanges.TryParse(o.AdminConsole.AllowedNetworks[i], out _))
                p.Add(new($"admin_console.allowed_networks.{i}", $"'{o.AdminConsole.AllowedNetworks[i]}' is not an IP address or CIDR range such as 10.0.0.0/8"));
        ValidateDatabase(o.Database, p);
        ValidateMedia(o.Media, p);
        if (o.Registration.RequireToken && o.Registration.Tokens.Count == 0)
            p.Add(new("registration.tokens", "must list at least one token when registration.require_token is true"));
        ValidateAuth(o.Auth, p);
        if (o.Limits.MaxRequestBodySize.Bytes < 65536)
            p.Add(new("limits.max_request_body_size", "must be at least 64K, the largest event"));
        if (o.Limits.MaxWebsocketsPerAddress < 1)
            p.Add(new("limits.max_websockets_per_address", "must be at least 1"));
        if (o.Media.MaxConcurrentThumbnails < 0)
            p.Add(new("media.max_concurrent_thumbnails", "must be 0 (one per core) or more"));
        if (o.Media.MaxQueuedThumbnails < 0)
            p.Add(new("media.max_queued_thumbnails", "must be 0 or more"));
        if (o.Limits.MaxConcurrentHeavyReads < 1)
            p.Add(new("limits.max_concurrent_heavy_reads", "must be at least 1"));
        if (o.Presence.OfflineAfter.Value < TimeSpan.FromSeconds(1))
            p.Add(new("presence.offline_after", "must be at least 1s"));
        if (o.ServerNotices.SystemMxidLocalpart is { Length: > 0 } noticesLocalpart && !UserId.IsValidNewLocalpart(noticesLocalpart))
            p.Add(new("server_notices.system_mxid_localpart", "must be a valid localpart (a-z, 0-9, ._=-/+)"));
        foreach (var (name, rl) in new[] { ("message", o.RateLimits.Message), ("registration", o.RateLimits.Registration), ("login", o.RateLimits.Login), ("login_failed_attempts", o.RateLimits.LoginFailedAttempts),
            ("openid_userinfo", o.RateLimits.OpenidUserinfo), ("key_query", o.RateLimits.KeyQuery),
            ("room_creation", o.RateLimits.RoomCreation), ("joins", o.RateLimits.Joins), ("invites", o.RateLimits.Invites), ("reports", o.RateLimits.Reports), ("url_preview", o.RateLimits.UrlPreview),
            ("presence", o.RateLimits.Presence), ("typing", o.RateLimits.Typing) })
        {
            if (rl.PerSecond <= 0)
                p.Add(new($"rate_limits.{name}.per_second", "must be positive"));
            if (rl.BurstCount < 1)
                p.Add(new($"rate_limits.{name}.burst_count", "must be at least 1"));
        }
        ValidatePush(o.Push, p);
        ValidateUrlPreview(o.UrlPreview, p);
        ValidateThreepids(o.Email, o.IdentityServers, p);
        ValidateCas(o.Cas, p);
        if (o.AccountThreepidDelegates.Msisdn is { Length: > 0 } msisdnDelegate && !IsIdentityServerName(msisdnDelegate))
            p.Add(new("account_threepid_delegates.msisdn", $"'{msisdnDelegate}' is not an identity server's name or https:// base URL"));
        ValidateRetention(o.Retention, o.Media.Retention, p);
        ValidateFederation(o.Federation, o.ResolvePath, p);
        ValidateRedis(o.Redis, o.Database, p);
        ValidateObservability(o, p);
        return p;
    }

    private static void ValidateUrlPreview(UrlPreviewOptions preview, List<ConfigProblem> p)
    {
        foreach (var (name, ranges) in new[] { ("allowed_ip_ranges", preview.AllowedIpRanges), ("denied_ip_ranges", preview.DeniedIpRanges) })
            for (var i = 0; i < ranges.Count; i++)
                if (!System.Net.IPNetwork.TryParse(ranges[i], out _))
                    p.Add(new($"url_preview.{name}.{i}", $"'{ranges[i]}' is not a CIDR range such as 127.0.0.1/32"));
        for (var i = 0; i < preview.UrlBlacklist.Count; i++)
            foreach (var (component, pattern) in preview.UrlBlacklist[i].Components())
                if (!UrlPatternOptions.IsValidPattern(pattern))
                    p.Add(new($"url_preview.url_blacklist.{i}.{component}", $"'{pattern}' is not a valid regular expression"));
        if (preview.MaxSpiderSize.Bytes < 1)
            p.Add(new("url_preview.max_spider_size", "must be at least 1 byte"));
        if (preview.RequestTimeout.Value <= TimeSpan.Zero)
            p.Add(new("url_preview.request_timeout", "must be positive"));
        if (preview.CacheDuration.Value < TimeSpan.Zero || preview.CacheDuration.Value > TimeSpan.FromDays(1))
            p.Add(new("url_preview.cache_duration", "must be between 0s and 1d"));
    }

    private static void ValidateObservability(HomeserverOptions o, List<ConfigProblem> p)
    {
        if (o.Logging.Format is not (LoggingOptions.Text or LoggingOptions.Json))
            p.Add(new("logging.format", $"'{o.Logging.Format}' must be text or json"));
        var m = o.Metrics;
        if (m.Enabled)
        {
            if (!System.Net.IPAddress.TryParse(m.BindAddress, out _) && m.BindAddress != "localhost")
                p.Add(new("metrics.bind_address", $"'{m.BindAddress}' is not an IP address"));
            if (m.Port is < 1 or > 65535)
                p.Add(new("metrics.port", $"{m.Port} is not a port number"));
            // The metrics listener is told apart from the client listeners by its port.
            else if (o.Listeners.Any(l => l.Port == m.Port))
                p.Add(new("metrics.port", $"{m.Port} is a client listener's port; the metrics need a port of their own"));
        }
        var t = o.Tracing;
        if (t.Enabled && (!Uri.TryCreate(t.OtlpEndpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")))
            p.Add(new("tracing.otlp_endpoint", $"'{t.OtlpEndpoint}' is not an absolute http(s) URL"));
        if (t.OtlpProtocol is not (TracingOptions.Grpc or TracingOptions.HttpProtobuf))
            p.Add(new("tracing.otlp_protocol", $"'{t.OtlpProtocol}' must be grpc or http_protobuf"));
        if (t.SampleRatio is not (>= 0 and <= 1))
            p.Add(new("tracing.sample_ratio", "must be between 0 and 1"));
        for (var i = 0; i < t.TrustedDestinations.Count; i++)
            if (!ServerNames.IsValid(t.TrustedDestinations[i]))
                p.Add(new($"tracing.trusted_destinations.{i}", $"'{t.TrustedDestinations[i]}' is not a server or host name"));
    }

    private static void ValidateRedis(RedisOptions r, DatabaseOptions database, List<ConfigProblem> p)
    {
        if (!r.Enabled)
            return;
        // SQLite is one writer in one data directory: a second node could not share it, so a bus would carry nothing.
        if (database.Engine != "postgres")
            p.Add(new("redis.enabled", "needs database.engine: postgres, the database the nodes share"));
        if (string.IsNullOrWhiteSpace(r.Configuration))
            p.Add(new("redis.configuration", "is required when redis.enabled is true"));
        else
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(r.Configuration);
            }
            catch (ArgumentException e)
            {
                p.Add(new("redis.configuration", $"is not a Redis configuration string: {e.Message}"));
            }
        }
        if (string.IsNullOrWhiteSpace(r.Prefix))
            p.Add(new("redis.prefix", "is required when redis.enabled is true"));
    }

    private static void ValidateFederation(FederationOptions f, Func<string, string> resolvePath, List<ConfigProblem> p)
    {
        for (var i = 0; i < f.TrustedKeyServers.Count; i++)
        {
            var t = f.TrustedKeyServers[i];
            if (!ServerNames.IsValid(t.ServerName))
                p.Add(new($"federation.trusted_key_servers.{i}.server_name", $"'{t.ServerName}' is not a valid server name"));
            if (string.IsNullOrEmpty(t.KeyId) != string.IsNullOrEmpty(t.Key))
                p.Add(new($"federation.trusted_key_servers.{i}.key", "key_id and key are given together or not at all"));
            else if (!string.IsNullOrEmpty(t.KeyId) && (!t.KeyId.StartsWith("ed25519:", StringComparison.Ordinal)
                || !Encodings.UnpaddedBase64.TryDecode(t.Key!, out var raw) || raw.Length != 32))
                p.Add(new($"federation.trusted_key_servers.{i}.key", "must be an ed25519: key ID with a 32-byte unpadded Base64 key"));
        }
        if (!string.IsNullOrEmpty(f.ExtraCaBundle) && !File.Exists(resolvePath(f.ExtraCaBundle)))
            p.Add(new("federation.extra_ca_bundle", $"file '{f.ExtraCaBundle}' does not exist"));
        foreach (var (name, ranges) in new[] { ("allowed_ip_ranges", f.AllowedIpRanges), ("denied_ip_ranges", f.DeniedIpRanges) })
            for (var i = 0; i < ranges.Count; i++)
                if (!System.Net.IPNetwork.TryParse(ranges[i], out _))
                    p.Add(new($"federation.{name}.{i}", $"'{ranges[i]}' is not a CIDR range such as 10.0.0.0/8"));
        foreach (var (name, d) in new[] { ("connect_timeout", f.ConnectTimeout), ("request_timeout", f.RequestTimeout),
            ("destination_min_retry_interval", f.DestinationMinRetryInterval), ("destination_max_retry_interval", f.DestinationMaxRetryInterval) })
            if (d.Value <= TimeSpan.Zero)
                p.Add(new($"federation.{name}", "must be positive"));
        if (f.DestinationMaxRetryInterval.Value < f.DestinationMinRetryInterval.Value)
            p.Add(new("federation.destination_max_retry_interval", "must not be shorter than federation.destination_min_retry_interval"));
        if (!(f.DestinationRetryMultiplier >= 1))
            p.Add(new("federation.destination_retry_multiplier", "must be at least 1"));
    }

    private static void ValidateRetention(RetentionOptions r, MediaRetentionOptions media, List<ConfigProblem> p)
    {
        if (r.AllowedLifetimeMin?.Value > r.AllowedLifetimeMax?.Value)
            p.Add(new("retention.allowed_lifetime_min", "must not be longer than retention.allowed_lifetime_max"));
        if (r.DefaultPolicy.MinLifetime?.Value > r.DefaultPolicy.MaxLifetime?.Value)
            p.Add(new("retention.default_policy.min_lifetime", "must not be longer than retention.default_policy.max_lifetime"));
        for (var i = 0; i < r.PurgeJobs.Count; i++)
        {
            var job = r.PurgeJobs[i];
            if (job.Interval.Value <= TimeSpan.Zero)
                p.Add(new($"retention.purge_jobs.{i}.interval", "must be positive"));
            if (job.ShortestMaxLifetime?.Value > job.LongestMaxLifetime?.Value)
                p.Add(new($"retention.purge_jobs.{i}.shortest_max_lifetime", "must not be longer than longest_max_lifetime"));
        }
        if (media.Interval.Value <= TimeSpan.Zero)
            p.Add(new("media.retention.interval", "must be positive"));
        if (media.LocalMediaMinSize.Bytes < 0)
            p.Add(new("media.retention.local_media_min_size", "must not be negative"));
    }

    private static void ValidatePush(PushOptions push, List<ConfigProblem> p)
    {
        if (push.OnlineGrace.Value < TimeSpan.Zero)
            p.Add(new("push.online_grace", "must not be negative"));
        foreach (var (name, d) in new[] { ("max_age", push.MaxAge), ("retry_initial", push.RetryInitial), ("retry_max", push.RetryMax), ("request_timeout", push.RequestTimeout) })
            if (d.Value <= TimeSpan.Zero)
                p.Add(new($"push.{name}", "must be positive"));
        if (push.RetryMax.Value < push.RetryInitial.Value)
            p.Add(new("push.retry_max", "must not be shorter than push.retry_initial"));
        if (string.IsNullOrWhiteSpace(push.VapidKeyPath))
            p.Add(new("push.vapid_key_path", "is required"));
        if (!string.IsNullOrEmpty(push.VapidSubject) && !push.VapidSubject.StartsWith("mailto:", StringComparison.Ordinal) &&
            !(Uri.TryCreate(push.VapidSubject, UriKind.Absolute, out var sub) && sub.Scheme == "https"))
            p.Add(new("push.vapid_subject", $"'{push.VapidSubject}' must be a mailto: address or an https URL"));
        for (var i = 0; i < push.AllowedIpRanges.Count; i++)
            if (!System.Net.IPNetwork.TryParse(push.AllowedIpRanges[i], out _))
                p.Add(new($"push.allowed_ip_ranges.{i}", $"'{push.AllowedIpRanges[i]}' is not a CIDR range such as 127.0.0.1/32"));
    }

    /// <summary>A host with an optional port, or <c>https://</c> and one: identity servers are always called over https.</summary>
    private static bool IsIdentityServerName(string value)
    {
        var name = value.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? value["https://".Length..].TrimEnd('/') : value;
        return name.Length > 0 && !name.Contains('/') && Uri.TryCreate("https://" + name, UriKind.Absolute, out var uri)
            && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.UserInfo);
    }

    private static void ValidateThreepids(EmailOptions email, IdentityServerOptions identity, List<ConfigProblem> p)
    {
        if (email.Enabled)
        {
            if (email.SmtpPort is < 1 or > 65535)
                p.Add(new("email.smtp_port", $"{email.SmtpPort} is not a port number"));
            if (!MimeKit.MailboxAddress.TryParse(email.NotifFrom, out _))
                p.Add(new("email.notif_from", $"'{email.NotifFrom}' is not a mail address"));
        }
        if (email.ValidationTokenLifetime.Value <= TimeSpan.Zero)
            p.Add(new("email.validation_token_lifetime", "must be positive"));
        if (identity.RequestTimeout.Value <= TimeSpan.Zero)
            p.Add(new("identity_servers.request_timeout", "must be positive"));
        for (var i = 0; i < identity.AllowedIpRanges.Count; i++)
            if (!System.Net.IPNetwork.TryParse(identity.AllowedIpRanges[i], out _))
                p.Add(new($"identity_servers.allowed_ip_ranges.{i}", $"'{identity.AllowedIpRanges[i]}' is not a CIDR range such as 127.0.0.1/32"));
    }

    private static void ValidateCas(CasOptions cas, List<ConfigProblem> p)
    {
        if (!cas.Enabled)
            return;
        if (!IsHttpUrl(cas.ServerUrl))
            p.Add(new("cas.server_url", "must be an http or https URL when CAS is enabled"));
        if (!string.IsNullOrEmpty(cas.ServiceUrl) && !IsHttpUrl(cas.ServiceUrl))
            p.Add(new("cas.service_url", "must be an http or https URL"));
        if (cas.RequestTimeout.Value <= TimeSpan.Zero)
            p.Add(new("cas.request_timeout", "must be positive"));
        for (var i = 0; i < cas.RequiredAttributes.Count; i++)
            if (string.IsNullOrEmpty(cas.RequiredAttributes[i].Name))
                p.Add(new($"cas.required_attributes.{i}.name", "must name an attribute"));
        for (var i = 0; i < cas.AllowedIpRanges.Count; i++)
            if (!System.Net.IPNetwork.TryParse(cas.AllowedIpRanges[i], out _))
                p.Add(new($"cas.allowed_ip_ranges.{i}", $"'{cas.AllowedIpRanges[i]}' is not a CIDR range such as 127.0.0.1/32"));
    }

    private static bool IsHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps);

    private static void ValidateListeners(List<ListenerOptions> listeners, List<ConfigProblem> p)
    {
        if (listeners.Count == 0)
            p.Add(new("listeners", "at least one listener is required"));
        for (var i = 0; i < listeners.Count; i++)
        {
            var l = listeners[i];
            if (!System.Net.IPAddress.TryParse(l.BindAddress, out _) && l.BindAddress != "localhost")
                p.Add(new($"listeners.{i}.bind_address", $"'{l.BindAddress}' is not an IP address"));
            if (l.Port is < 0 or > 65535)
                p.Add(new($"listeners.{i}.port", $"{l.Port} is not a port number"));
            if (l.Tls is { } tls)
            {
                if (!File.Exists(tls.CertificatePath))
                    p.Add(new($"listeners.{i}.tls.certificate_path", $"file '{tls.CertificatePath}' does not exist"));
                if (!File.Exists(tls.KeyPath))
                    p.Add(new($"listeners.{i}.tls.key_path", $"file '{tls.KeyPath}' does not exist"));
            }
        }
    }

    private static void ValidateDatabase(DatabaseOptions d, List<ConfigProblem> p)
    {
        if (d.InstanceName.Length is 0 or > 64 || !d.InstanceName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            p.Add(new("database.instance_name", $"'{d.InstanceName}' must be 1 to 64 letters, digits, '-', '_' or '.'"));
        switch (d.Engine)
        {
            case "sqlite":
                if (string.IsNullOrWhiteSpace(d.SqlitePath))
                    p.Add(new("database.sqlite_path", "is required for the sqlite engine"));
                if (d.SqliteSynchronous is not ("normal" or "full"))
                    p.Add(new("database.sqlite_synchronous", $"'{d.SqliteSynchronous}' must be normal or full"));
                break;
            case "postgres":
                if (string.IsNullOrWhiteSpace(d.ConnectionString))
                    p.Add(new("database.connection_string", "is required for the postgres engine"));
                else
                {
                    try { _ = new Npgsql.NpgsqlConnectionStringBuilder(d.ConnectionString); }
                    catch (ArgumentException e) { p.Add(new("database.connection_string", e.Message)); }
                }
                break;
            default:
                p.Add(new("database.engine", $"'{d.Engine}' must be sqlite or postgres"));
                break;
        }
    }

    private static void ValidateMedia(MediaOptions m, List<ConfigProblem> p)
    {
        if (m.MaxUploadSize.Bytes <= 0)
            p.Add(new("media.max_upload_size", "must be positive"));
        if (m.UserQuota.Bytes < 0)
            p.Add(new("media.user_quota", "must not be negative"));
        if (m.MaxPendingUploads < 0)
            p.Add(new("media.max_pending_uploads", "must not be negative"));
        switch (m.Storage)
        {
            case MediaOptions.FilesystemStorage:
                break;
            case MediaOptions.S3Storage:
                p.AddRange(ValidateS3(m.S3));
                break;
            default:
                p.Add(new("media.storage", $"'{m.Storage}' must be filesystem or s3"));
                break;
        }
        if (m.MaxImagePixels < 1)
            p.Add(new("media.max_image_pixels", "must be positive"));
        if (m.ThumbnailTimeout.Value <= TimeSpan.Zero)
            p.Add(new("media.thumbnail_timeout", "must be positive"));
        for (var i = 0; i < m.ThumbnailSizes.Count; i++)
        {
            var s = m.ThumbnailSizes[i];
            if (s.Width is < 1 or > 4096 || s.Height is < 1 or > 4096)
                p.Add(new($"media.thumbnail_sizes.{i}", $"{s.Width}x{s.Height} must be between 1x1 and 4096x4096"));
            if (s.Method is not ("crop" or "scale"))
                p.Add(new($"media.thumbnail_sizes.{i}.method", $"'{s.Method}' must be crop or scale"));
        }
    }

    /// <summary>
    /// The <c>media.s3</c> section, checked when media is stored there, and by <c>move-media</c> whichever store the
    /// server uses.
    /// </summary>
    public static IReadOnlyList<ConfigProblem> ValidateS3(S3Options s3)
    {
        var p = new List<ConfigProblem>();
        if (string.IsNullOrWhiteSpace(s3.Endpoint))
            p.Add(new("media.s3.endpoint", "is required when media is stored in S3"));
        else if (s3.Endpoint.Contains("://", StringComparison.Ordinal) || Uri.CheckHostName(s3.Endpoint.Split(':')[0]) == UriHostNameType.Unknown)
            p.Add(new("media.s3.endpoint", $"'{s3.Endpoint}' must be a host name with an optional port, without a scheme (media.s3.tls chooses https)"));
        if (string.IsNullOrWhiteSpace(s3.Region))
            p.Add(new("media.s3.region", "is required (us-east-1 suits most self-hosted stores)"));
        if (!System.Text.RegularExpressions.Regex.IsMatch(s3.Bucket ?? "", "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"))
            p.Add(new("media.s3.bucket", $"'{s3.Bucket}' is not a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)"));
        if (string.IsNullOrEmpty(s3.AccessKey))
            p.Add(new("media.s3.access_key", "is required when media is stored in S3"));
        if (string.IsNullOrEmpty(s3.SecretKey))
            p.Add(new("media.s3.secret_key", "is required when media is stored in S3"));
        return p;
    }

    private static void ValidateAuth(AuthOptions a, List<ConfigProblem> p)
    {
        if (a.AccessTokenLifetime.Value < TimeSpan.FromSeconds(10))
            p.Add(new("auth.access_token_lifetime", "must be at least 10s"));
        if (a.RefreshTokenLifetime.Value < a.AccessTokenLifetime.Value)
            p.Add(new("auth.refresh_token_lifetime", "must not be shorter than auth.access_token_lifetime"));
        if (a.PasswordMinLength is < 1 or > 1024)
            p.Add(new("auth.password_min_length", "must be between 1 and 1024"));
        if (a.Argon2MemoryKib < 8)
            p.Add(new("auth.argon2_memory_kib", "must be at least 8"));
        if (a.Argon2Iterations < 1)
            p.Add(new("auth.argon2_iterations", "must be at least 1"));
        var j = a.JwtLogin;
        if (!j.Enabled)
            return;
        if (j.Algorithm.StartsWith("HS", StringComparison.Ordinal))
        {
            if (string.IsNullOrEmpty(j.Secret) || j.Secret.Length < 32)
                p.Add(new("auth.jwt_login.secret", "must be at least 32 characters for an HMAC algorithm"));
        }
        else if (j.Algorithm is "RS256" or "RS384" or "RS512" or "PS256" or "ES256" or "ES384" or "ES512")
        {
            if (string.IsNullOrEmpty(j.PublicKeyPath) || !File.Exists(j.PublicKeyPath))
                p.Add(new("auth.jwt_login.public_key_path", "must name an existing PEM file for an asymmetric algorithm"));
        }
        else
            p.Add(new("auth.jwt_login.algorithm", $"'{j.Algorithm}' is not a supported JWT algorithm"));
        if (string.IsNullOrWhiteSpace(j.SubjectClaim))
            p.Add(new("auth.jwt_login.subject_claim", "is required"));
    }
}
