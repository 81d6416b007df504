using Microsoft.AspNetCore.Http;

namespace Homeserver.Http.FederationAuth;

/// <summary>The server that signed a request, as <see cref="XMatrixAuthenticationFilter"/> verified it.</summary>
public static class FederationRequester
{
    private static readonly object ItemKey = new();

    internal static void Set(HttpContext ctx, string origin) => ctx.Items[ItemKey] = origin;

    /// <summary>
    /// The verified origin. Read in the handler, not bound as a parameter: endpoint filters run after binding. An
    /// endpoint outside the authenticated group has none, which is a wiring error.
    /// </summary>
    public static string GetFederationOrigin(this HttpContext ctx) =>
        ctx.Items[ItemKey] as string ?? throw new InvalidOperationException("endpoint is not behind the X-Matrix authentication filter");
}
