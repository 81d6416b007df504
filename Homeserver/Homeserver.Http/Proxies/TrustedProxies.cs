using Homeserver.Core.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Homeserver.Http.Proxies;

/// <summary>
/// Behind a reverse proxy every connection comes from the proxy, so everything keyed by client address (rate
/// limits, the WebSocket cap, the request log, a device's last-seen address) would lump all clients together.
/// Only connections from <c>trusted_proxies</c> may name the client in <c>X-Forwarded-For</c>; from anywhere
/// else the header is ignored, so it cannot be spoofed to dodge a per-address limit.
/// </summary>
public static class TrustedProxies
{
    public static WebApplication UseTrustedProxies(this WebApplication app, IReadOnlyList<string> trusted)
    {
        if (trusted.Count == 0)
            return app;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor,
            // Walk back through a chain of trusted proxies, stopping at the first address that is not one.
            ForwardLimit = null,
        };
        // The defaults trust loopback; the config is the whole list.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in trusted)
        {
            if (!IpRanges.TryParse(entry, out var range))
                throw new ArgumentException($"'{entry}' is not an IP address or CIDR range", nameof(trusted));
            options.KnownIPNetworks.Add(range);
        }
        app.UseForwardedHeaders(options);
        return app;
    }
}
