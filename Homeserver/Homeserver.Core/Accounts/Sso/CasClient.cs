using System.Xml;
using System.Xml.Linq;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Outbound;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Accounts.Sso;

/// <summary>
/// Asks the CAS server who holds a ticket (CAS protocol 2/3, <c>/proxyValidate</c>, answered in XML). The CAS server is
/// the operator's, but the call still goes through the outbound address policy, so a private address must be allowed
/// in <c>cas.allowed_ip_ranges</c> as for push gateways and identity servers.
/// </summary>
public sealed class CasClient : IDisposable
{
    private static readonly XNamespace Cas = "http://www.yale.edu/tp/cas";
    /// <summary>A CAS answer is a user name and a few attributes; anything longer is not one.</summary>
    private const long MaxAnswerBytes = 64 * 1024;

    private readonly GuardedHttpClient _http;
    private readonly CasOptions _options;
    private readonly ILogger<CasClient> _log;

    public CasClient(CasOptions options, ILogger<CasClient> log)
    {
        _http = new GuardedHttpClient(new OutboundAddressPolicy(options.AllowedIpRanges), options.RequestTimeout.Value);
        _options = options;
        _log = log;
    }

    /// <summary>Where the user proves who they are; the CAS server sends them back to <paramref name="service"/> with a ticket.</summary>
    public string LoginUrl(string service) => $"{ServerUrl}/login?service={Uri.EscapeDataString(service)}";

    /// <summary>The identity the ticket stands for, checked for the very <paramref name="service"/> it was issued to.</summary>
    /// <exception cref="MatrixException">403 when the CAS server refuses the ticket, 502 when it cannot be asked.</exception>
    public async Task<CasIdentity> ValidateAsync(string ticket, string service, CancellationToken ct)
    {
        var url = $"{ServerUrl}/proxyValidate?ticket={Uri.EscapeDataString(ticket)}&service={Uri.EscapeDataString(service)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        OutboundResponse res;
        try
        {
            res = await _http.SendAsync(request, ct, MaxAnswerBytes);
        }
        catch (Exception e) when (GuardedHttpClient.IsRefusal(e) || e is HttpRequestException or OutboundTimeoutException or OutboundResponseTooLargeException)
        {
            _log.LogWarning("CAS server could not validate a ticket: {Error}", e.Message);
            throw new MatrixException(502, ErrorCodes.Unknown, "The CAS server could not be reached");
        }
        if (!res.IsSuccessStatusCode)
        {
            _log.LogWarning("CAS server answered {Status} to a ticket validation", (int)res.StatusCode);
            throw new MatrixException(502, ErrorCodes.Unknown, "The CAS server could not validate the ticket");
        }
        return Parse(res.Body) ?? throw MatrixException.Forbidden("The CAS server did not accept the ticket");
    }

    /// <summary>The identity of a success answer; null for a failure or anything that is not a CAS answer.</summary>
    public static CasIdentity? Parse(byte[] body)
    {
        XDocument doc;
        // No DTDs and no external entities: the answer comes over the network.
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), settings);
            doc = XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return null;
        }
        var success = doc.Root is { } root && root.Name == Cas + "serviceResponse" ? root.Element(Cas + "authenticationSuccess") : null;
        var user = success?.Element(Cas + "user")?.Value.Trim();
        if (string.IsNullOrEmpty(user))
            return null;
        var attributes = (success!.Element(Cas + "attributes")?.Elements() ?? [])
            .GroupBy(e => e.Name.LocalName)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(e => e.Value.Trim()).ToList());
        return new CasIdentity(user, attributes);
    }

    private string ServerUrl => _options.ServerUrl!.TrimEnd('/');

    public void Dispose() => _http.Dispose();
}
