using Homeserver.Core.Configuration;
using MediaRepo.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRepo;

public static class MediaRepoEndpoints
{
    public static IEndpointRouteBuilder MapMediaRepo(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<HomeserverOptions>();
        MediaConfigEndpoints.Map(app);
        UploadEndpoints.Map(app);
        DownloadEndpoints.Map(app, options);
        AdminMediaEndpoints.Map(app);
        return app;
    }
}
