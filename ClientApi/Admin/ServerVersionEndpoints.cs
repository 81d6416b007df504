using Homeserver.Http.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Admin;

/// <summary>Synapse's <c>server_version</c>, which admin tools show on their sign-in form before anyone signs in.</summary>
public static class ServerVersionEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // GET /_synapse/admin/v1/server_version (unauthenticated, as in Synapse)
        app.MapGet(SynapseAdminRoutes.Prefix + "/v1/server_version", () =>
            Results.Ok(new { server_version = typeof(ServerVersionEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.1.0" }));
    }
}
