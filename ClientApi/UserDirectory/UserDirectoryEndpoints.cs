using Homeserver.Core.Errors;
using Homeserver.Core.UserDirectory;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.UserDirectory;

public static class UserDirectoryEndpoints
{
    private sealed record Body
    {
        public string? SearchTerm { get; init; }
        public long? Limit { get; init; }
    }

    public static void Map(RouteGroupBuilder v3)
    {
        // POST /_matrix/client/v3/user_directory/search
        v3.MapPost("/user_directory/search", async (HttpContext ctx, UserDirectoryService directory, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<Body>(ctx.Request, ct);
            var term = body.SearchTerm ?? throw MatrixException.MissingParam("Missing search_term");
            // Out-of-range limits are clamped (to 0..MaxLimit) rather than refused, as Synapse does.
            var limit = (int)Math.Clamp(body.Limit ?? UserDirectoryService.DefaultLimit, 0, UserDirectoryService.MaxLimit);
            var result = await directory.SearchAsync(ctx.GetRequester().UserId, term, limit, ct);
            return Results.Ok(new { results = result.Results, limited = result.Limited });
        }).RequireAuthorization();
    }
}
