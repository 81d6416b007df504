using Homeserver.Http.Admin;
using Homeserver.Core.Configuration;
using MediaRepo.Endpoints;
using MediaRepo.Thumbnails;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MediaRepo;

public static class MediaRepoEndpoints
{
    public static IServiceCollection AddMediaRepo(this IServiceCollection services)
    {
        services.AddSingleton<ImageThumbnailer>();
        services.AddSingleton<VideoFrameExtractor>();
        services.AddSingleton<ThumbnailSlots>();
        services.AddSingleton<ThumbnailGenerator>();
        services.AddSingleton<Homeserver.Core.Media.Previews.IImageProbe, ImageProbe>();
        return services;
    }

    public static IEndpointRouteBuilder MapMediaRepo(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<MediaOptions>();
        MediaConfigEndpoints.Map(app);
        UploadEndpoints.Map(app);
        DownloadEndpoints.Map(app, options);
        ThumbnailEndpoints.Map(app, options);
        if (app.ServiceProvider.GetRequiredService<UrlPreviewOptions>().Enabled)
            PreviewUrlEndpoints.Map(app);
        var admin = app.MapSynapseAdmin();
        AdminMediaEndpoints.Map(admin);
        AdminUserMediaEndpoints.Map(admin);
        AdminQuarantineEndpoints.Map(admin);
        FederationMediaEndpoints.Map(app, app.ServiceProvider.GetRequiredService<FederationOptions>());
        return app;
    }
}
