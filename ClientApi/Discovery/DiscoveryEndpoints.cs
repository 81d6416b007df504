using Homeserver.Http.Auth;
using Homeserver.Core.Configuration;
using Homeserver.Core.Events;
using Homeserver.Core.Keys;
using Homeserver.Core.Rooms.Creation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.Discovery;

/// <summary>What clients ask before logging in: supported versions, where the server lives, what it can do.</summary>
public static class DiscoveryEndpoints
{
    /// <summary>Spec versions whose client-server endpoints this server implements; see the README's table for gaps.</summary>
    internal static readonly string[] SpecVersions = ["r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11"];

    public static void Map(IEndpointRouteBuilder app, RouteGroupBuilder v3)
    {
        // GET /_matrix/client/versions
        app.MapGet("/_matrix/client/versions", () => Results.Ok(new
        {
            versions = SpecVersions,
            unstable_features = new Dictionary<string, bool> { [Sync.SlidingSyncEndpoints.UnstableFeature] = true },
        }));

        // GET /.well-known/matrix/client
        app.MapGet("/.well-known/matrix/client", (ServerIdentity o) => Results.Ok(new Dictionary<string, object>
        {
            ["m.homeserver"] = new { base_url = o.ClientBaseUrl },
        }));

        // GET /_matrix/client/v3/capabilities
        v3.MapGet("/capabilities", (VapidKey vapid, DefaultRoomVersion defaultVersion) => Results.Ok(new
        {
            capabilities = new Dictionary<string, object>
            {
                ["m.change_password"] = new { enabled = true },
                ["m.set_displayname"] = new { enabled = true },
                ["m.set_avatar_url"] = new { enabled = true },
                ["m.3pid_changes"] = new { enabled = false },
                ["m.get_login_token"] = new { enabled = false },
                ["m.room_versions"] = new
                {
                    @default = defaultVersion.Version.Id,
                    available = RoomVersions.All.ToDictionary(v => v.Id, _ => "stable"),
                },
                // MSC4174: Web Push pushers, and the VAPID public key clients subscribe with.
                ["m.webpush"] = new { enabled = true, vapid = vapid.PublicKey },
            },
        })).RequireAuthorization().AllowGuests();
    }
}
