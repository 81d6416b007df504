using Federation.Auth;
using Federation.Keys;
using Federation.Query;
using Federation.Transactions;
using Homeserver.Core.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Federation;

public static class FederationEndpoints
{
    public static IEndpointRouteBuilder MapFederation(this IEndpointRouteBuilder app)
    {
        // GET /_matrix/federation/v1/version
        app.MapGet("/_matrix/federation/v1/version", () => Results.Ok(new
        {
            server = new { name = "Homeserver", version = typeof(FederationEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.1.0" },
        }));

        KeyEndpoints.MapServerKey(app);

        if (!app.ServiceProvider.GetRequiredService<FederationOptions>().Enabled)
            return app;
        KeyEndpoints.MapQuery(app);
        var v1 = app.MapGroup("/_matrix/federation/v1").AddEndpointFilter<XMatrixAuthenticationFilter>();
        ProfileQueryEndpoints.Map(v1);
        SendTransactionEndpoints.Map(v1);
        return app;
    }
}
