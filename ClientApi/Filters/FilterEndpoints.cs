using Homeserver.Core.Errors;
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
        g.MapPost("", async (string userId, HttpContext ctx, FilterStore filters, CancellationToken ct) =>
        {
            ctx.GetRequester().EnsureSelf(userId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            SyncFilterShape.Validate(body);
            var id = await filters.AddAsync(userId, body.GetRawText(), ct);
            return Results.Ok(new { filter_id = id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        });

        // GET /_matrix/client/v3/user/{userId}/filter/{filterId}
        g.MapGet("/{filterId}", async (string userId, string filterId, HttpContext ctx, FilterStore filters, CancellationToken ct) =>
        {
            ctx.GetRequester().EnsureSelf(userId);
            if (!long.TryParse(filterId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                throw MatrixException.NotFound("Filter not found");
            var json = await filters.GetAsync(userId, id, ct) ?? throw MatrixException.NotFound("Filter not found");
            return Results.Text(json, "application/json");
        });
    }
}
