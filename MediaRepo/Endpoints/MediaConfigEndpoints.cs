using Homeserver.Core.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MediaRepo.Endpoints;

public static class MediaConfigEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        static IResult Config(MediaOptions o) =>
            Results.Ok(new Dictionary<string, long> { ["m.upload.size"] = o.MaxUploadSize.Bytes });

        // GET /_matrix/client/v1/media/config (authenticated media, spec v1.11)
        app.MapGet("/_matrix/client/v1/media/config", Config).RequireAuthorization();
        // GET /_matrix/media/v3/config (legacy, kept for older clients)
        app.MapGet("/_matrix/media/{version:regex(^(v3|r0)$)}/config", Config).RequireAuthorization();
    }
}
