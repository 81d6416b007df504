using Homeserver.Core.Configuration;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace MediaRepo.Thumbnails;

/// <summary>
/// Makes thumbnails of untrusted PNG, JPEG, GIF and WebP files. Every input ends in a result, a
/// <see cref="ThumbnailException"/>, or (when the caller cancels) an <see cref="OperationCanceledException"/>.
/// Thread-safe; meant to be a singleton, since it owns the capped ImageSharp allocator and its pool.
/// </summary>
public sealed class ImageThumbnailer(MediaOptions options)
{
    private readonly Configuration _configuration = ThumbnailImageConfiguration.Create(options);

    /// <param name="source">The stored file; must be readable and seekable. It is only read, and after a timeout the
    /// abandoned decode may still read it until it notices the cancellation.</param>
    /// <param name="size">The configured size to produce, as chosen by <see cref="ThumbnailSizeSelector"/>.</param>
    /// <param name="animated">Keep all frames of an animated GIF or WebP (as a GIF) when the animation is within the
    /// frame budget; otherwise, and always when false, only the first frame is used.</param>
    /// <exception cref="ThumbnailException">Unsupported, TooLarge, Invalid or Timeout; see <see cref="ThumbnailErrorKind"/>.</exception>
    /// <exception cref="IOException">Reading the stored file failed (a storage fault, not a bad image).</exception>
    public async Task<ThumbnailResult> CreateAsync(Stream source, ThumbnailSizeOptions size, bool animated, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(size);
        if (!source.CanRead || !source.CanSeek)
            throw new ArgumentException("The source must be a readable, seekable stream.", nameof(source));
        if (size.Width <= 0 || size.Height <= 0)
            throw new ArgumentOutOfRangeException(nameof(size), "Thumbnail sizes must be positive.");
        ct.ThrowIfCancellationRequested();
        if (source.Length > options.MaxThumbnailSourceSize.Bytes)
            throw new ThumbnailException(ThumbnailErrorKind.TooLarge,
                $"The file is {source.Length} bytes; thumbnails are made of files up to {options.MaxThumbnailSourceSize.Bytes} bytes.");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.ThumbnailTimeout.Value);
        // Decoders check the token only now and then (ImageSharp 2.1's GIF decoder never does), so the work runs on
        // the pool and the request stops waiting for it at the deadline, whether or not the work has noticed.
        var work = Task.Run(() => CreateCoreAsync(source, size, animated, deadline.Token), deadline.Token);
        try
        {
            return await work.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            Observe(work);
            throw new ThumbnailException(ThumbnailErrorKind.Timeout,
                $"Making the thumbnail took longer than {options.ThumbnailTimeout}.");
        }
        catch (OperationCanceledException)
        {
            Observe(work);
            throw;
        }
    }

    private async Task<ThumbnailResult> CreateCoreAsync(Stream source, ThumbnailSizeOptions size, bool animated, CancellationToken ct)
    {
        try
        {
            var format = FormatSniffer.Detect(source, _configuration);
            using var image = format == SourceFormat.Webp
                ? await DecodeWebpAsync(source, animated, ct).ConfigureAwait(false)
                : await DecodeAsync(source, format, animated, ct).ConfigureAwait(false);
            // A header can lie to Identify; the decoded result is what costs memory from here on.
            ThumbnailLimits.CheckDimensions(image.Width, image.Height, options);
            return await ThumbnailRenderer.RenderAsync(image, size, format, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e) is { } translated)
        {
            throw translated;
        }
    }

    private async Task<Image<Rgba32>> DecodeAsync(Stream source, SourceFormat format, bool animated, CancellationToken ct)
    {
        IImageDecoder decoder = format switch
        {
            SourceFormat.Png => new PngDecoder(),
            SourceFormat.Jpeg => new JpegDecoder(),
            _ => new GifDecoder { DecodingMode = FrameDecodingMode.First },
        };
        source.Position = 0;
        var info = ((IImageInfoDetector)decoder).Identify(_configuration, source, ct)
            ?? throw new ThumbnailException(ThumbnailErrorKind.Invalid, "The image header could not be read.");
        ThumbnailLimits.CheckDimensions(info.Width, info.Height, options);

        if (format == SourceFormat.Gif && animated)
        {
            int frames = GifFrameCounter.Count(source, ThumbnailLimits.MaxAnimationFrames + 1, ct);
            if (frames > 1 && ThumbnailLimits.FitsAnimationBudget(info.Width, info.Height, frames, options))
                // MaxFrames holds the decoder to what was counted, whatever the rest of the file claims.
                decoder = new GifDecoder { DecodingMode = FrameDecodingMode.All, MaxFrames = (uint)frames };
        }

        source.Position = 0;
        return await Image.LoadAsync<Rgba32>(_configuration, source, decoder, ct).ConfigureAwait(false);
    }

    private async Task<Image<Rgba32>> DecodeWebpAsync(Stream source, bool animated, CancellationToken ct)
    {
        var container = WebpContainer.Read(source, ThumbnailLimits.MaxAnimationFrames + 1, ct);
        if (container.CanvasWidth > 0)
            ThumbnailLimits.CheckDimensions(container.CanvasWidth, container.CanvasHeight, options);
        if (container.IsAnimated)
        {
            bool allFrames = animated && container.FrameCount > 1
                && ThumbnailLimits.FitsAnimationBudget(container.CanvasWidth, container.CanvasHeight, container.FrameCount, options);
            return WebpAnimationDecoder.Decode(source, container, allFrames ? container.FrameCount : 1, _configuration, ct);
        }

        var decoder = new WebpDecoder();
        source.Position = 0;
        var info = decoder.Identify(_configuration, source, ct)
            ?? throw new ThumbnailException(ThumbnailErrorKind.Invalid, "The image header could not be read.");
        ThumbnailLimits.CheckDimensions(info.Width, info.Height, options);
        source.Position = 0;
        return await Image.LoadAsync<Rgba32>(_configuration, source, decoder, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Maps whatever a decoder throws on hostile input to a <see cref="ThumbnailException"/>. Fuzzed files make
    /// ImageSharp throw more than its documented exception types (index and argument errors included), so everything
    /// except cancellation and real I/O failures of the store is treated as a bad image.
    /// </summary>
    private static ThumbnailException? Translate(Exception e)
    {
        switch (e)
        {
            case ThumbnailException or OperationCanceledException:
                return null;
            case IOException and not EndOfStreamException:
            case ObjectDisposedException:
                return null;
            case InvalidMemoryOperationException or OutOfMemoryException:
            case ImageFormatException { InnerException: InvalidMemoryOperationException }:
                return new ThumbnailException(ThumbnailErrorKind.TooLarge, "Decoding the image needs more memory than thumbnails are allowed.", e);
            default:
                return new ThumbnailException(ThumbnailErrorKind.Invalid, "The image is malformed and could not be decoded.", e);
        }
    }

    // The abandoned task's eventual failure is expected; observe it so it is not reported as unobserved.
    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
