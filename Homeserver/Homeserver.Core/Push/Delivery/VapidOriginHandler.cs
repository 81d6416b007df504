using System.Net.Http.Headers;
using Lib.Net.Http.WebPush.Authentication;

namespace Homeserver.Core.Push.Delivery;

/// <summary>
/// RFC 8292 makes the VAPID token's audience the push resource's origin, port included; the Web Push library
/// signs for scheme and host only, which a push service on a non-default port would refuse. For those endpoints
/// the token is signed again for the full origin.
/// </summary>
internal sealed class VapidOriginHandler(VapidAuthentication vapid) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (request.RequestUri is { IsDefaultPort: false } uri && request.Headers.Authorization?.Scheme == "vapid")
            request.Headers.Authorization = new AuthenticationHeaderValue("vapid", vapid.GetVapidSchemeAuthenticationHeaderValueParameter(uri.GetLeftPart(UriPartial.Authority)));
        return base.SendAsync(request, ct);
    }
}
