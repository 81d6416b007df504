using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace ClientApi;

public static class ClientRoutes
{
    /// <summary>
    /// The client API group. Older clients (e.g. Debian's matrix-nio) still call <c>/_matrix/client/r0/...</c>;
    /// one group with the version as a constrained route value serves both spellings.
    /// </summary>
    public static RouteGroupBuilder MapClientV3(this IEndpointRouteBuilder app) =>
        app.MapGroup("/_matrix/client/{version:regex(^(v3|r0)$)}");

    public static RouteGroupBuilder MapClientV1(this IEndpointRouteBuilder app) =>
        app.MapGroup("/_matrix/client/v1");
}
