using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Homeserver.Http.Observability;

/// <summary>
/// Adds the Matrix API a request belongs to (<c>matrix.api</c>: client, federation, media, key, admin or other) to
/// ASP.NET Core's <c>http.server.request.duration</c>, beside its route and status, so a dashboard can split the
/// traffic without listing routes. The feature is there only while the metric is collected; the tags are prepared once.
/// </summary>
public sealed class EndpointGroupTagMiddleware(RequestDelegate next)
{
    private static readonly KeyValuePair<string, object?> Client = new("matrix.api", "client");
    private static readonly KeyValuePair<string, object?> Federation = new("matrix.api", "federation");
    private static readonly KeyValuePair<string, object?> Media = new("matrix.api", "media");
    private static readonly KeyValuePair<string, object?> Key = new("matrix.api", "key");
    private static readonly KeyValuePair<string, object?> Admin = new("matrix.api", "admin");
    private static readonly KeyValuePair<string, object?> Other = new("matrix.api", "other");

    public Task InvokeAsync(HttpContext context)
    {
        context.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(GroupOf(context.Request.Path));
        return next(context);
    }

    private static KeyValuePair<string, object?> GroupOf(PathString path) =>
        path.StartsWithSegments("/_matrix/client") ? (path.StartsWithSegments("/_matrix/client/v1/media") ? Media : Client)
        : path.StartsWithSegments("/_matrix/federation") ? Federation
        : path.StartsWithSegments("/_matrix/media") ? Media
        : path.StartsWithSegments("/_matrix/key") ? Key
        : path.StartsWithSegments("/_synapse") ? Admin
        : Other;
}
