namespace Homeserver.Core.Configuration;

/// <summary>OpenTelemetry tracing of requests through the event pipeline and to the database, exported over OTLP. Off by default.</summary>
public sealed class TracingOptions
{
    public const string Grpc = "grpc";
    public const string HttpProtobuf = "http_protobuf";

    public bool Enabled { get; set; }
    /// <summary>The OTLP collector spans are exported to.</summary>
    public string OtlpEndpoint { get; set; } = "http://127.0.0.1:4317";
    /// <summary><see cref="Grpc"/> (port 4317 by convention) or <see cref="HttpProtobuf"/> (4318).</summary>
    public string OtlpProtocol { get; set; } = Grpc;
    /// <summary>Share of the requests that start a trace here; a request whose <c>traceparent</c> says sampled is always traced.</summary>
    public double SampleRatio { get; set; } = 1;
    /// <summary>Servers (federation destinations, push gateways' hosts) that outbound requests pass the trace context to; to no one else.</summary>
    public List<string> TrustedDestinations { get; set; } = [];
}
