using MediaRepo.Endpoints;
using Microsoft.AspNetCore.Routing;

namespace MediaRepo;

public static class MediaRepoEndpoints
{
    public static IEndpointRouteBuilder MapMediaRepo(this IEndpointRouteBuilder app)
    {
        MediaConfigEndpoints.Map(app);
        return app;
    }
}
