using Homeserver.Http.FederationAuth;
using Federation.Events;
using Federation.Keys;
using Federation.Membership;
using Federation.OpenId;
using Federation.Query;
using Federation.Transactions;
using Federation.Rooms;
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
        // Identity servers call this whether or not rooms federate: it is how an emailed invite reaches its user.
        ThirdPartyOnBindEndpoint.Map(app);

        if (!app.ServiceProvider.GetRequiredService<FederationOptions>().Enabled)
            return app;
        KeyEndpoints.MapQuery(app);
        OpenIdUserInfoEndpoint.Map(app);
        var v1 = app.MapGroup("/_matrix/federation/v1").AddEndpointFilter<XMatrixAuthenticationFilter>();
        ProfileQueryEndpoints.Map(v1);
        SendTransactionEndpoints.Map(v1);
        EventEndpoint.Map(v1);
        EventAuthEndpoint.Map(v1);
        BackfillEndpoint.Map(v1);
        MissingEventsEndpoint.Map(v1);
        TimestampToEventEndpoint.Map(v1);
        StateEndpoint.Map(v1);
        StateIdsEndpoint.Map(v1);
        HierarchyEndpoint.Map(v1);
        DirectoryQueryEndpoint.Map(v1);
        PublicRoomsEndpoints.Map(v1);
        UserKeysEndpoints.Map(v1);
        MakeJoinEndpoint.Map(v1);
        MakeLeaveEndpoint.Map(v1);
        MakeKnockEndpoint.Map(v1);
        SendKnockEndpoint.Map(v1);
        var v2 = app.MapGroup("/_matrix/federation/v2").AddEndpointFilter<XMatrixAuthenticationFilter>();
        SendJoinEndpoint.Map(v1, v2);
        SendLeaveEndpoint.Map(v1, v2);
        InviteEndpoint.Map(v1, v2);
        return app;
    }
}
