using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Homeserver.Core.Observability;

/// <summary>
/// The server's own meter and activity source, both named <see cref="Name"/>. They are process-wide, as .NET's own
/// meters are: an instrument costs nothing until a listener (the OpenTelemetry SDK, when metrics or tracing are on)
/// subscribes, and <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null while nobody traces.
/// </summary>
public static class HomeserverTelemetry
{
    public const string Name = "Homeserver";

    private static readonly string? Version = typeof(HomeserverTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly Meter Meter = new(Name, Version);

    public static readonly ActivitySource Source = new(Name, Version);
}
