using System.Text.Json.Nodes;
using Homeserver.Core.Concurrency;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Media.Previews;

/// <summary>
/// <c>GET /preview_url</c>: the Open Graph description of a page, or of an image, as Synapse builds it. Images (the
/// URL's own, or the page's <c>og:image</c>) are stored as local media and named by their <c>mxc://</c> URI, so
/// clients never fetch from the page's site themselves. Answers are kept in the database per URL and fetch time,
/// so a repeated request, on any node, fetches nothing until the preview expires; concurrent first requests for one URL
/// (and <c>ts</c>) share one fetch within a process.
/// </summary>
public sealed class UrlPreviewService(UrlPreviewOptions options, PreviewFetcher fetcher, UrlPreviewStore store, MediaService media,
    IImageProbe images, TimeProvider time, ILogger<UrlPreviewService> log)
{
    // Synapse's bounds on a tag: longer names or values are dropped rather than echoed to every client.
    private const int MaxTagNameLength = 50;
    private const int MaxTagValueLength = 1000;

    private readonly SingleFlight<(string Url, long? Ts), string> _fetches = new();

    public async Task<JsonObject> PreviewAsync(UserId requester, string? url, long? ts, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(url))
            throw MatrixException.MissingParam("Missing string query parameter 'url'");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            throw MatrixException.InvalidParam("url must be an absolute http or https URL");
        var at = ts ?? time.GetUtcNow().ToUnixTimeMilliseconds();
        // Concurrent first requests (a link posted in a busy room, previewed by every member's client at once) share
        // one look at the store and, when it has nothing, one fetch.
        var og = await _fetches.RunAsync((url, ts), () => StoredOrFetchedAsync(requester, url, uri, at), ct);
        return (JsonObject)JsonNode.Parse(og)!;
    }

    /// <summary>The preview held for <paramref name="url"/> at <paramref name="at"/>, else fetched and stored; as JSON text, since callers share it.</summary>
    private async Task<string> StoredOrFetchedAsync(UserId requester, string url, Uri uri, long at)
    {
        // Not a requester's token: the callers sharing this must not lose it when one goes. The fetcher bounds its time.
        var ct = CancellationToken.None;
        if (await store.GetAsync(url, at, ct) is { } cached && cached.ExpiresTs > at)
            return cached.Og;
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
        var json = og.ToJsonString();
        var fetchedTs = time.GetUtcNow().ToUnixTimeMilliseconds();
        await store.AddAsync(url, new UrlPreviewStore.Entry(json, fetchedTs, fetchedTs + (long)options.CacheDuration.Value.TotalMilliseconds),
            fetchedTs, ct);
        return json;
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
