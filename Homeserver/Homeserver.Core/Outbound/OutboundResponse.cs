using System.Net;
using System.Net.Http.Headers;

namespace Homeserver.Core.Outbound;

/// <summary>A remote answer read in full within the size and time caps of <see cref="GuardedHttpClient.SendAsync"/>.</summary>
public sealed record OutboundResponse(HttpStatusCode StatusCode, HttpResponseHeaders Headers, byte[] Body)
{
    public bool IsSuccessStatusCode => (int)StatusCode is >= 200 and <= 299;
}
