using Homeserver.Core.Configuration;
using MediaRepo.Endpoints;
using MediaRepo.Thumbnails;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRepo;

public static class MediaRepoEndpoints
{
    public static IServiceCollection AddMediaRepo(this IServiceCollection services, HomeserverOptions options)
    {
        services.AddSingleton(new ImageThumbnailer(options.Media));
        services.AddSingleton(new VideoFrameExtractor(options.Media));
        services.AddSingleton(new ThumbnailSlots(options.Media));
        services.AddSingleton<ThumbnailGenerator>();
        return services;
    }

    public static IEndpointRouteBuilder MapMediaRepo(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<HomeserverOptions>();
        MediaConfigEndpoints.Map(app);
        UploadEndpoints.Map(app);
        DownloadEndpoints.Map(app, options);
        ThumbnailEndpoints.Map(app, options);
        AdminMediaEndpoints.Map(app);
        return app;
    }
}
