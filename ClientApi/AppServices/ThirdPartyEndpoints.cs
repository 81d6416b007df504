using Homeserver.Http.Auth;
using Homeserver.Core.AppServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.AppServices;

/// <summary>Third-party networks (<c>/thirdparty/…</c>), answered from the application services that bridge them.</summary>
public static class ThirdPartyEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        var g = v3.MapGroup("/thirdparty").RequireAuthorization().AllowGuests();

        g.MapGet("/protocols", async (AppServiceThirdParty thirdParty, CancellationToken ct) => Results.Ok(await thirdParty.ProtocolsAsync(ct)));

        g.MapGet("/protocol/{protocol}", async (string protocol, AppServiceThirdParty thirdParty, CancellationToken ct) =>
            Results.Ok(await thirdParty.ProtocolAsync(protocol, ct)));

        foreach (var kind in new[] { AppServiceThirdParty.Location, AppServiceThirdParty.User })
        {
            g.MapGet($"/{kind}/{{protocol}}", async (string protocol, HttpRequest request, AppServiceThirdParty thirdParty, CancellationToken ct) =>
                Results.Ok(await thirdParty.LookupAsync(kind, protocol, Fields(request), ct)));
            g.MapGet($"/{kind}", async (HttpRequest request, AppServiceThirdParty thirdParty, CancellationToken ct) =>
                Results.Ok(await thirdParty.LookupAsync(kind, null, Fields(request), ct)));
        }
    }

    /// <summary>The client's query parameters, passed to the services as they came; its token is its own.</summary>
    private static List<KeyValuePair<string, string>> Fields(HttpRequest request) =>
        request.Query.Where(q => q.Key != "access_token").Select(q => KeyValuePair.Create(q.Key, q.Value.ToString())).ToList();
}
