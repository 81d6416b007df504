using Homeserver.Core.Configuration;
using Homeserver.Http.Activity;
using Homeserver.Http.Auth;
using Homeserver.Http.Errors;
using Homeserver.Http.Json;
using Homeserver.Http.Logging;
using Homeserver.Http.Observability;
using Homeserver.Http.Proxies;
using Homeserver.Http.RateLimiting;
using Homeserver.Http.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Http;

public static class HttpServiceCollectionExtensions
{
    public const string CorsPolicy = "matrix";

    public static IServiceCollection AddHomeserverHttp(this IServiceCollection services, HomeserverOptions options)
    {
        services.ConfigureHttpJsonOptions(o => MatrixJson.Configure(o.SerializerOptions));
        // A query or route value that does not bind (timeout_ms=1e308) throws, so the error middleware answers it in
        // Matrix shape instead of the framework's empty 400.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddSingleton<RefusalLog>();
        services.AddAccessTokenAuthentication();
        services.AddMatrixRateLimiting(options.RateLimits, options.Limits);
        services.AddSingleton<ConnectionsPerAddressLimiter>();
        services.AddHomeserverTelemetry(options);
        // The spec's CORS section: any origin, these methods and headers, on every response.
        services.AddCors(c => c.AddPolicy(CorsPolicy, p => p
            .AllowAnyOrigin()
            .WithMethods("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")
            .WithHeaders("X-Requested-With", "Content-Type", "Authorization")));
        return services;
    }

    /// <summary>The shared middleware pipeline, in the order each piece needs.</summary>
    public static WebApplication UseHomeserverHttp(this WebApplication app, HomeserverOptions options)
    {
        // The metrics listener's requests leave here, before any of the client listener's middleware.
        app.UseMetricsListener(options.Metrics);
        // First, so every later piece sees the client's address rather than the proxy's.
        app.UseTrustedProxies(options.TrustedProxies);
        app.UseMiddleware<EndpointGroupTagMiddleware>();
        app.UseMiddleware<RequestLogMiddleware>();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseCors(CorsPolicy);
        app.UseWebSockets();
        app.UseMiddleware<UnrecognizedEndpointMiddleware>();
        app.UseRouting();
        app.UseMiddleware<PathParameterGuardMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<ActivityTracker>();
        app.UseRateLimiter();
        app.MapGet(HealthEndpoint.Path, HealthEndpoint.WriteAsync);
        return app;
    }
}
