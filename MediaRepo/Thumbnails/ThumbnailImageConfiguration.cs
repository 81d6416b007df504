using Homeserver.Core.Configuration;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;

namespace MediaRepo.Thumbnails;

/// <summary>The ImageSharp configuration used for untrusted uploads.</summary>
internal static class ThumbnailImageConfiguration
{
    /// <summary>
    /// Only the four formats we thumbnail are registered, so nothing else can ever reach a decoder, and the allocator
    /// refuses any single buffer over <see cref="ThumbnailLimits.AllocationLimitMegabytes"/>.
    /// </summary>
    public static Configuration Create(MediaOptions options) =>
        new(new PngConfigurationModule(), new JpegConfigurationModule(), new GifConfigurationModule(), new WebpConfigurationModule())
        {
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
            {
                AllocationLimitMegabytes = ThumbnailLimits.AllocationLimitMegabytes(options),
                // Thumbnailing is occasional work; don't keep a large pool of unmanaged memory around between requests.
                MaximumPoolSizeMegabytes = 32,
            }),
        };
}
