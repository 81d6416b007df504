using Homeserver.Core.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Http.Observability;

/// <summary>
/// <c>GET /health</c> for load balancers, as Synapse serves it: 200 with <c>OK</c> while the server is healthy
/// (<see cref="ServerHealth"/>), otherwise 503 with one line per problem. Plain text, never cached.
/// </summary>
public static class HealthEndpoint
{
    public const string Path = "/health";

    public static async Task WriteAsync(HttpContext ctx)
    {
        var report = await ctx.RequestServices.GetRequiredService<ServerHealth>().CheckAsync(ctx.RequestAborted);
        ctx.Response.StatusCode = report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        await ctx.Response.WriteAsync(report.Healthy ? "OK" : string.Join('\n', report.Problems), ctx.RequestAborted);
    }
}
