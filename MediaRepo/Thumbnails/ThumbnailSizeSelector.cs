using Homeserver.Core.Configuration;

namespace MediaRepo.Thumbnails;

/// <summary>
/// Maps a client's thumbnail request onto one of the configured sizes, so only a bounded set of thumbnails is ever
/// generated and cached per media item (Synapse's model).
/// </summary>
/// <remarks>
/// The rule is the spec's promise ("larger than or equal to the requested dimensions"): the smallest size of the
/// requested method that covers the request in both dimensions, else the largest size of that method. Synapse ranks
/// candidates by aspect and area differences instead, which can return a size narrower than requested; and where
/// Synapse finds nothing when no size of the method is configured, this falls back to the other method's sizes.
/// </remarks>
public static class ThumbnailSizeSelector
{
    public const string Crop = "crop";
    public const string Scale = "scale";

    public static ThumbnailSizeOptions? Select(MediaOptions options, int width, int height, string method) =>
        Select(options.EffectiveThumbnailSizes, width, height, method);

    /// <returns>The chosen size, or null when <paramref name="sizes"/> is empty.</returns>
    /// <exception cref="ArgumentException"><paramref name="method"/> is neither <c>crop</c> nor <c>scale</c>.</exception>
    public static ThumbnailSizeOptions? Select(IReadOnlyList<ThumbnailSizeOptions> sizes, int width, int height, string method)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        bool wantCrop = IsCrop(method) ? true
            : string.Equals(method, Scale, StringComparison.OrdinalIgnoreCase) ? false
            : throw new ArgumentException($"thumbnail method must be '{Crop}' or '{Scale}'", nameof(method));

        var candidates = sizes.Where(s => IsCrop(s.Method) == wantCrop).ToList();
        if (candidates.Count == 0)
            candidates = [.. sizes];
        if (candidates.Count == 0)
            return null;

        // OrderBy is stable, so equal sizes keep their configured order.
        var bySize = candidates.OrderBy(s => (long)s.Width * s.Height).ThenBy(s => s.Width).ToList();
        var largest = bySize[^1];
        return bySize.FirstOrDefault(s => s.Width >= width && s.Height >= height)
            ?? bySize.First(s => s.Width == largest.Width && s.Height == largest.Height);
    }

    internal static bool IsCrop(string? method) => string.Equals(method, Crop, StringComparison.OrdinalIgnoreCase);
}
