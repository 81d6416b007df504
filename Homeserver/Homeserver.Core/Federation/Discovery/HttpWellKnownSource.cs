using System.Net;
using System.Text.Json;
using Homeserver.Core.Federation.Client;

namespace Homeserver.Core.Federation.Discovery;

/// <summary>
/// Fetches <c>/.well-known/matrix/server</c> over the federation transport (TLS checked, address policy applied on
/// every hop), following up to five https redirects and never the same URL twice. Cache-Control decides how long the
/// answer is kept: <c>no-store</c> not at all, <c>max-age</c> that long, otherwise a day; never more than two days.
/// </summary>
public sealed class HttpWellKnownSource(FederationHttp http) : IWellKnownSource
{
    private const int MaxRedirects = 5;
    private const long MaxBytes = 64 * 1024;
    private static readonly TimeSpan DefaultCache = TimeSpan.FromDays(1);
    private static readonly TimeSpan MaxCache = TimeSpan.FromDays(2);

    public async Task<WellKnownAnswer> FetchAsync(string hostname, CancellationToken ct)
    {
        var uri = new Uri($"https://{hostname}/.well-known/matrix/server");
        var seen = new HashSet<Uri>();
        try
        {
            while (seen.Add(uri) && seen.Count <= MaxRedirects + 1)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                var response = await http.Client.SendAsync(request, ct, MaxBytes);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    uri = new Uri(uri, location);
                    if (uri.Scheme != Uri.UriSchemeHttps)
                        return WellKnownAnswer.Failed;
                    continue;
                }
                return response.StatusCode == HttpStatusCode.OK ? Parse(response) : WellKnownAnswer.Failed;
            }
        }
        catch (HttpRequestException)
        {
            // Unreachable, refused by the address policy, a bad certificate or too slow: the spec's "error response".
        }
        return WellKnownAnswer.Failed;
    }

    private static WellKnownAnswer Parse(Outbound.OutboundResponse response)
    {
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("m.server", out var server)
                || server.ValueKind != JsonValueKind.String || !ServerAddress.TryParse(server.GetString()!, out _))
                return WellKnownAnswer.Failed;
            var cache = response.Headers.CacheControl;
            var keep = cache?.NoStore == true ? TimeSpan.Zero : cache?.MaxAge ?? DefaultCache;
            return new WellKnownAnswer(server.GetString(), keep > MaxCache ? MaxCache : keep);
        }
        catch (JsonException)
        {
            return WellKnownAnswer.Failed;
        }
    }
}
