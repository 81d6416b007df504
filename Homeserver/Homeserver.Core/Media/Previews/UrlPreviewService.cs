using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Media.Previews;

/// <summary>
/// <c>GET /preview_url</c>: the Open Graph description of a page, or of an image, as Synapse builds it. Images (the
/// URL's own, or the page's <c>og:image</c>) are stored as local media and named by their <c>mxc://</c> URI, so
/// clients never fetch from the page's site themselves. Answers are kept in the database per URL and fetch time,
/// so a repeated request, on any node, fetches nothing until the preview expires.
/// </summary>
public sealed class UrlPreviewService(UrlPreviewOptions options, PreviewFetcher fetcher, UrlPreviewStore store, MediaService media,
    IImageProbe images, TimeProvider time, ILogger<UrlPreviewService> log)
{
    // Synapse's bounds on a tag: longer names or values are dropped rather than echoed to every client.
    private const int MaxTagNameLength = 50;
    private const int MaxTagValueLength = 1000;

    public async Task<JsonObject> PreviewAsync(UserId requester, string? url, long? ts, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(url))
            throw MatrixException.MissingParam("Missing string query parameter 'url'");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            throw MatrixException.InvalidParam("url must be an absolute http or https URL");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var at = ts ?? now;
        if (await store.GetAsync(url, at, ct) is { } cached && cached.ExpiresTs > at)
            return (JsonObject)JsonNode.Parse(cached.Og)!;

        var fetched = await fetcher.FetchAsync(uri, ct);
        JsonObject og;
        if (fetched.IsImage)
        {
            og = new JsonObject { ["og:description"] = fetched.FileName };
            await AddImageAsync(requester, fetched, og, ct);
        }
        else
        {
            og = OpenGraphParser.Parse(fetched.Body, fetched.ContentType);
            await PrecacheImageAsync(requester, fetched.Uri, og, ct);
        }
        Prune(og);
        var fetchedTs = time.GetUtcNow().ToUnixTimeMilliseconds();
        await store.AddAsync(url, new UrlPreviewStore.Entry(og.ToJsonString(), fetchedTs, fetchedTs + (long)options.CacheDuration.Value.TotalMilliseconds),
            fetchedTs, ct);
        return og;
    }

    /// <summary>
    /// Replaces the page's <c>og:image</c> URL (resolved against the page) by the image stored here; a page whose image
    /// cannot be fetched or read is still previewed, without one.
    /// </summary>
    private async Task PrecacheImageAsync(UserId requester, Uri page, JsonObject og, CancellationToken ct)
    {
        if (og["og:image"]?.GetValue<string>() is not { Length: > 0 } written)
        {
            og.Remove("og:image");
            return;
        }
        og.Remove("og:image");
        if (!Uri.TryCreate(page, written, out var imageUri) || imageUri.Scheme is not ("http" or "https"))
            return;
        try
        {
            var image = await fetcher.FetchAsync(imageUri, ct);
            if (image.IsImage)
                await AddImageAsync(requester, image, og, ct);
        }
        catch (MatrixException e)
        {
            log.LogWarning("URL preview of {Page}: its image {Image} was not fetched: {Reason}", page, imageUri, e.Message);
        }
    }

    private async Task AddImageAsync(UserId requester, FetchedResource image, JsonObject og, CancellationToken ct)
    {
        og["og:image"] = await media.StoreFetchedAsync(requester, image.Body, image.ContentType, image.FileName, ct);
        og["og:image:type"] = image.ContentType;
        og["matrix:image:size"] = image.Body.Length;
        if (images.Measure(image.Body) is var (width, height))
        {
            og["og:image:width"] = width;
            og["og:image:height"] = height;
        }
        else
            log.LogWarning("URL preview: the dimensions of {Image} could not be read", image.Uri);
    }

    private static void Prune(JsonObject og)
    {
        foreach (var (key, value) in og.ToList())
            if (key.Length > MaxTagNameLength || (value?.ToString().Length ?? 0) > MaxTagValueLength)
                og.Remove(key);
    }
}
