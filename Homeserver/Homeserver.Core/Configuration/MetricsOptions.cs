namespace Homeserver.Core.Configuration;

/// <summary>
/// The metrics listener: Prometheus' text format at <c>/metrics</c> (and Synapse's <c>/_synapse/metrics</c>) and the
/// health check at <c>/health</c>, on a port of its own so that the client listener never serves the metrics. Off
/// by default, and on loopback when on.
/// </summary>
public sealed class MetricsOptions
{
    public bool Enabled { get; set; }
    public string BindAddress { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 9000;
}
