using Homeserver.Core.Filters;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Filters;

public static class FilterEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        var g = v3.MapGroup("/user/{userId}/filter").RequireAuthorization();

        // POST /_matrix/client/v3/user/{userId}/filter
        g.MapPost("", async (string userId, HttpContext ctx, FilterService filters, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            r.EnsureSelf(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            var id = await filters.AddAsync(r.UserId, body, ct);
            return Results.Ok(new { filter_id = id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        });

        // GET /_matrix/client/v3/user/{userId}/filter/{filterId}
        g.MapGet("/{filterId}", async (string userId, string filterId, HttpContext ctx, FilterService filters, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            r.EnsureSelf(userId);
            return Results.Text(await filters.GetAsync(r.UserId, filterId, ct), "application/json");
        });
    }
}
