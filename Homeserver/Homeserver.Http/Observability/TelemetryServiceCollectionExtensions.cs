using Homeserver.Core.Configuration;
using Homeserver.Core.Observability;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Homeserver.Http.Observability;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// The OpenTelemetry SDK, only for what the config turns on: metrics for the Prometheus exporter (our meter,
    /// ASP.NET Core's, the runtime's, outbound HTTP's and Npgsql's) and traces for OTLP (our activity source, ASP.NET
    /// Core's requests, outbound HTTP and Npgsql's commands). With both off nothing listens, and the instruments and
    /// the activity source cost next to nothing.
    /// </summary>
    public static IServiceCollection AddHomeserverTelemetry(this IServiceCollection services, HomeserverOptions options)
    {
        if (!options.Metrics.Enabled && !options.Tracing.Enabled)
            return services;
        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r
            .AddService("homeserver", serviceVersion: typeof(HomeserverTelemetry).Assembly.GetName().Version?.ToString(),
                serviceInstanceId: options.Database.InstanceName)
            .AddAttributes([new("matrix.server_name", options.ServerName)]));
        if (options.Metrics.Enabled)
            telemetry.WithMetrics(m => m
                .AddMeter(HomeserverTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddMeter("System.Runtime", "System.Net.Http")
                .AddNpgsqlInstrumentation()
                // Every scrape sees the counters as they are now; Prometheus scrapes seldom enough not to need a cache.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        if (options.Tracing.Enabled)
        {
            var tracing = options.Tracing;
            telemetry.WithTracing(t => t
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(tracing.SampleRatio)))
                .AddSource(HomeserverTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddSource("System.Net.Http")
                .AddNpgsql()
                .AddOtlpExporter(o =>
                {
                    o.Endpoint = new Uri(tracing.OtlpEndpoint);
                    o.Protocol = tracing.OtlpProtocol == TracingOptions.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                }));
        }
        return services;
    }
}
