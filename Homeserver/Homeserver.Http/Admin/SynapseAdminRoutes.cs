using Homeserver.Core.Accounts;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Http.Admin;

/// <summary>
/// Synapse's admin API under <c>/_synapse/admin</c>, which admin tools (synapse-admin, Ketesa) and scripts speak: an
/// admin's ordinary access token, and 403 <c>M_FORBIDDEN</c> "You are not a server admin" for anyone else, checked
/// before the endpoint runs so no admin endpoint can forget it. The client API's CORS policy covers these paths too.
/// </summary>
public static class SynapseAdminRoutes
{
    public const string Prefix = "/_synapse/admin";

    public static RouteGroupBuilder MapSynapseAdmin(this IEndpointRouteBuilder app) =>
        app.MapGroup(Prefix).RequireAuthorization().RequireServerAdmin();

    public static TBuilder RequireServerAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            await http.RequestServices.GetRequiredService<AccountService>().EnsureAdminAsync(http.GetRequester().UserId, http.RequestAborted);
            return await next(context);
        });
}
