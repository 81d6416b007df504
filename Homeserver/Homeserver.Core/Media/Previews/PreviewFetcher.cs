using System.Net;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Outbound;

namespace Homeserver.Core.Media.Previews;

/// <summary>
/// Fetches what a preview needs through the outbound address guard (each connection checked after DNS), following
/// redirects itself so that every hop is checked against the guard and the URL blacklist again, within
/// <c>url_preview.max_spider_size</c> and one <c>request_timeout</c> for the whole exchange. Failures are Matrix
/// errors as Synapse answers them: a refused address or URL 403, anything wrong upstream 502.
/// </summary>
public sealed class PreviewFetcher : IDisposable
{
    private const int MaxRedirects = 10;

    private readonly UrlPreviewOptions _options;
    private readonly UrlBlacklist _blacklist;
    private readonly GuardedHttpClient _http;

    public PreviewFetcher(UrlPreviewOptions options, UrlBlacklist blacklist)
    {
        _options = options;
        _blacklist = blacklist;
        _http = new GuardedHttpClient(new OutboundAddressPolicy(options.AllowedIpRanges, options.DeniedIpRanges), options.RequestTimeout.Value);
    }

    /// <summary>Fetches <paramref name="uri"/>, accepting only answers of a type a preview can use (HTML, images).</summary>
    public async Task<FetchedResource> FetchAsync(Uri uri, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.RequestTimeout.Value);
        try
        {
            for (var hop = 0; ; hop++)
            {
                EnsureAllowed(uri);
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
                if (_options.AcceptLanguage.Count > 0)
                    request.Headers.TryAddWithoutValidation("Accept-Language", _options.AcceptLanguage);
                using var response = await _http.OpenAsync(request, deadline.Token);
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    if (hop == MaxRedirects)
                        throw Upstream($"More than {MaxRedirects} redirects");
                    uri = new Uri(uri, location);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                    throw Upstream($"Got error {(int)response.StatusCode}");
                var type = response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
                var fetched = new FetchedResource(uri, type, [], FileName(response));
                if (!fetched.IsHtml && !fetched.IsImage)
                    throw Upstream($"Requested file's content type not allowed for this operation: {type}");
                var body = await GuardedHttpClient.ReadCappedAsync(response.Content, _options.MaxSpiderSize.Bytes, uri, deadline.Token);
                return fetched with { Body = body };
            }
        }
        catch (OutboundResponseTooLargeException)
        {
            throw new MatrixException(502, ErrorCodes.TooLarge, $"Requested file is too large > {_options.MaxSpiderSize.Bytes} bytes");
        }
        catch (Exception e) when (e is OperationCanceledException or OutboundTimeoutException && !ct.IsCancellationRequested)
        {
            throw Upstream("Requested file took too long to download");
        }
        catch (HttpRequestException e) when (GuardedHttpClient.IsRefusal(e))
        {
            throw new MatrixException(403, ErrorCodes.Unknown, "IP address blocked");
        }
        catch (HttpRequestException e)
        {
            throw Upstream($"Failed to download content: {e.Message}");
        }
    }

    /// <summary>Only http and https are fetched, and nothing the blacklist names, at the first hop or any redirect.</summary>
    private void EnsureAllowed(Uri uri)
    {
        if (uri.Scheme is not ("http" or "https"))
            throw Upstream("Redirected to a URL that is not http or https");
        if (_blacklist.IsBlocked(uri))
            throw new MatrixException(403, ErrorCodes.Unknown, "URL blocked by url pattern blocklist entry");
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string? FileName(HttpResponseMessage response)
    {
        var disposition = response.Content.Headers.ContentDisposition;
        var name = disposition?.FileNameStar ?? disposition?.FileName;
        return string.IsNullOrWhiteSpace(name) ? null : name.Trim('"');
    }

    private static MatrixException Upstream(string message) => new(502, ErrorCodes.Unknown, message);

    public void Dispose() => _http.Dispose();
}
