using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Startup;

/// <summary>
/// Calls clients such as Element make while starting. They are answered with valid empty results until
/// the features behind them (VoIP relays) exist, so start-up does not stall on errors.
/// </summary>
public static class StartupEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        var g = v3.MapGroup("").RequireAuthorization().AllowGuests();

        // GET /_matrix/client/v3/voip/turnServer — no TURN server configured: an empty object, as the spec allows.
        g.MapGet("/voip/turnServer", () => Results.Ok(new { }));
    }
}
