using Homeserver.Core.Configuration;

namespace Homeserver.Core.Media;

/// <summary>The content stores <c>media.storage</c> names, built from the config; uploads in progress stay in <c>media.store_path</c> either way.</summary>
public static class MediaContentStores
{
    public static IMediaContentStore Create(string storage, HomeserverOptions options)
    {
        var root = options.ResolvePath(options.Media.StorePath);
        return storage switch
        {
            MediaOptions.FilesystemStorage => new LocalMediaContentStore(root),
            MediaOptions.S3Storage => new S3MediaContentStore(options.Media.S3, Path.Combine(root, "tmp")),
            _ => throw new ArgumentException($"unknown media storage '{storage}'", nameof(storage)),
        };
    }
}
