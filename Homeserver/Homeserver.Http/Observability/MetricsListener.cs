using Homeserver.Core.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Homeserver.Http.Observability;

/// <summary>
/// The metrics listener's requests, told apart by the port they came in on, branch off before anything of the client
/// pipeline runs: <c>/metrics</c> and Synapse's <c>/_synapse/metrics</c> (Prometheus' text format), <c>/health</c>,
/// and 404 for the rest. The client listener serves none of the metrics, whatever the path.
/// </summary>
public static class MetricsListener
{
    public static IApplicationBuilder UseMetricsListener(this IApplicationBuilder app, MetricsOptions metrics)
    {
        if (!metrics.Enabled)
            return app;
        return app.MapWhen(ctx => ctx.Connection.LocalPort == metrics.Port, branch =>
        {
            branch.UseOpenTelemetryPrometheusScrapingEndpoint(ctx => ctx.Request.Path == "/metrics" || ctx.Request.Path == "/_synapse/metrics");
            branch.Run(ctx =>
            {
                if (ctx.Request.Path == HealthEndpoint.Path)
                    return HealthEndpoint.WriteAsync(ctx);
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
    }
}
