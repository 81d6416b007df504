using System.Net;
using System.Security.Cryptography.X509Certificates;
using ClientApi;
using Federation;
using Homeserver.Core;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.AppServices;
using Homeserver.Core.Configuration;
using Homeserver.Core.Keys;
using Homeserver.Core.Push;
using Homeserver.Core.Storage;
using Homeserver.Host.Configuration;
using Homeserver.Host.AdminConsole;
using Homeserver.Http;
using MediaRepo;
using Microsoft.AspNetCore.Routing.Constraints;

namespace Homeserver.Host;

/// <summary>The composition root: builds the web application from validated options and migrates the database.</summary>
public static class HomeserverApp
{
    /// <exception cref="IOException">Another process holds the data directory, or a file could not be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The data directory or a key file is not writable or readable.</exception>
    /// <exception cref="InvalidDataException">A key file is malformed.</exception>
    public static async Task<WebApplication> BuildAsync(HomeserverOptions options, Action<WebApplicationBuilder>? configure = null, CancellationToken ct = default)
    {
        var dataLock = DataDirectoryLock.Acquire(options);
        try
        {
            return await BuildLockedAsync(options, dataLock, configure, ct);
        }
        catch
        {
            dataLock.Dispose();
            throw;
        }
    }

    private static async Task<WebApplication> BuildLockedAsync(HomeserverOptions options, DataDirectoryLock dataLock,
        Action<WebApplicationBuilder>? configure, CancellationToken ct)
    {
        var appServices = AppServiceRegistrationLoader.LoadAll(options);
        var signingKey = await SigningKey.LoadOrCreateAsync(options.ResolvedSigningKeyPath, ct);
        var tokenKey = await TokenSigningKey.LoadOrCreateAsync(options.ResolvePath(options.Auth.TokenKeyPath), ct);
        var vapidKey = await VapidKey.LoadOrCreateAsync(options.ResolvePath(options.Push.VapidKeyPath), ct);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = options.DataDir });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.Configure<RouteOptions>(o => o.SetParameterPolicy<RegexInlineRouteConstraint>("regex"));
        ConfigureLogging(builder, options);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.Limits.MaxRequestBodySize.Bytes;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
            foreach (var l in options.Listeners)
            {
                k.Listen(Address(l.BindAddress), l.Port, lo =>
                {
                    if (l.Tls is { } tls)
                        lo.UseHttps(X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath));
                });
            }
            // Plain HTTP on a port of its own; the pipeline tells its requests apart by that port (MetricsListener).
            if (options.Metrics.Enabled)
                k.Listen(Address(options.Metrics.BindAddress), options.Metrics.Port);
        });
        builder.Services.AddHomeserverCore(options, signingKey, tokenKey);
        builder.Services.AddAppServices(appServices);
        builder.Services.AddPushDelivery(options.Push, vapidKey);
        builder.Services.AddHomeserverHttp(options);
        builder.Services.AddMediaRepo();
        // Registered through a factory so the container owns it and releases it when the app is disposed.
        builder.Services.AddSingleton(_ => dataLock);
        configure?.Invoke(builder);

        var app = builder.Build();
        // The container disposes in reverse order of creation: created first, the lock is released last, after the
        // database has flushed and closed, so a server started next on the same directory never overlaps with it.
        app.Services.GetRequiredService<DataDirectoryLock>();
        await app.Services.GetRequiredService<Migrator>().MigrateAsync(ct);
        app.Lifetime.ApplicationStarted.Register(() => StartupReport.Write(app.Services));
        app.UseHomeserverHttp(options);
        app.MapClientApi();
        app.MapFederation();
        app.MapMediaRepo();
        AdminConsoleEndpoints.Map(app, options.AdminConsole);
        EffectiveConfigEndpoints.Map(app, options);
        DashboardEndpoints.Map(app);
        return app;
    }

    private static IPAddress Address(string bindAddress) => bindAddress == "localhost" ? IPAddress.Loopback : IPAddress.Parse(bindAddress);

    private static void ConfigureLogging(WebApplicationBuilder builder, HomeserverOptions options)
    {
        var level = Enum.Parse<LogLevel>(options.LogLevel, ignoreCase: true);
        builder.Logging.SetMinimumLevel(level);
        // Framework chatter (per-request routing and auth decisions) drowns our own request log.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // Data protection is pulled in by the auth stack but protects nothing of ours; its key-storage warning is noise.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        if (options.Logging.Format == LoggingOptions.Json)
        {
            // A request's lines carry its trace and span IDs (in their scopes), so a log search finds the trace.
            builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
            builder.Logging.AddJsonConsole(c =>
            {
                c.IncludeScopes = true;
                c.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                c.UseUtcTimestamp = true;
            });
            return;
        }
        builder.Logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            c.UseUtcTimestamp = true;
        });
    }
}
