using System.Diagnostics;

namespace Homeserver.Core.Observability;

/// <summary>
/// Decides which outbound requests carry the trace context (<c>traceparent</c>, <c>tracestate</c>, baggage):
/// only those to a destination the config trusts (<c>tracing.trusted_destinations</c>), as Synapse passes span
/// context only to its <c>homeserver_whitelist</c>. A trace ID handed to another organisation's server would tell
/// it which of its requests belong to one of our users' actions. Set as the outbound handler's
/// <c>ActivityHeadersPropagator</c>, it sees each request; the destination is the server name the request is
/// addressed to (<see cref="DestinationKey"/>) or else the URL's host.
/// </summary>
public sealed class TrustedTracePropagator(IEnumerable<string> trustedDestinations) : DistributedContextPropagator
{
    /// <summary>The option a request sets to name its destination when its URL's host is not it (a federation request to a delegated host).</summary>
    public static readonly HttpRequestOptionsKey<string> DestinationKey = new("homeserver.trace_destination");

    /// <summary>Strips the trace context from every request: for clients whose destinations are never trusted.</summary>
    public static readonly TrustedTracePropagator None = new([]);

    private static readonly DistributedContextPropagator W3C = CreateW3CPropagator();

    private readonly HashSet<string> _trusted = new(trustedDestinations, StringComparer.OrdinalIgnoreCase);

    public override IReadOnlyCollection<string> Fields => W3C.Fields;

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        if (_trusted.Count > 0 && carrier is HttpRequestMessage request && _trusted.Contains(DestinationOf(request)))
            W3C.Inject(activity, carrier, setter);
    }

    private static string DestinationOf(HttpRequestMessage request) =>
        request.Options.TryGetValue(DestinationKey, out var destination) ? destination : request.RequestUri?.Host ?? "";

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
        W3C.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) =>
        W3C.ExtractBaggage(carrier, getter);
}
