using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Keys;
using Homeserver.Core.Outbound;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Accounts.Threepids;

/// <summary>
/// Calls to the identity servers clients name (Identity Service API v2, over https). The server name is the client's,
/// so the connection goes through the outbound address policy: no private, loopback or link-local address unless the
/// operator allows its range. Unbinding is signed with the server's key (X-Matrix), so the identity server can tell
/// the request comes from the user's homeserver.
/// </summary>
public sealed partial class IdentityServerClient : IDisposable
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$")]
    private static partial System.Text.RegularExpressions.Regex ServerName();

    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly GuardedHttpClient _http;
    private readonly SigningKey _key;
    private readonly ServerIdentity _server;
    private readonly ILogger<IdentityServerClient> _log;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5359", Justification = "Only with identity_servers.insecure_skip_tls_verify_for_tests_only, documented as for test suites whose identity server is self-signed.")]
    public IdentityServerClient(IdentityServerOptions options, SigningKey key, ServerIdentity server, ILogger<IdentityServerClient> log)
    {
        _http = new GuardedHttpClient(new OutboundAddressPolicy(options.AllowedIpRanges), options.RequestTimeout.Value,
            certificateCheck: options.InsecureSkipTlsVerifyForTestsOnly ? AcceptAnyCertificate : null);
        _key = key;
        _server = server;
        _log = log;
    }

    private static bool AcceptAnyCertificate(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate,
        System.Security.Cryptography.X509Certificates.X509Chain? chain, System.Net.Security.SslPolicyErrors errors) => true;

    /// <summary>An identity server's name as clients give it: a host and optional port, an <c>https://</c> prefix tolerated.</summary>
    public static string NormaliseName(string? idServer)
    {
        var name = idServer?.Trim() ?? "";
        if (name.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            name = name["https://".Length..].TrimEnd('/');
        if (name.Length > 255 || !ServerName().IsMatch(name))
            throw MatrixException.InvalidParam("id_server must be a server name such as matrix.org or host:port");
        return name;
    }

    /// <summary>
    /// Asks the delegate identity server to text a token to a phone number (<c>/_matrix/identity/api/v1/validate/msisdn/requestToken</c>,
    /// the unauthenticated API a homeserver delegates to, as Synapse); its answer, with the session ID, as the client gets it.
    /// </summary>
    public Task<JsonObject> RequestMsisdnTokenAsync(string idServer, JsonObject request, CancellationToken ct) =>
        PostAsync(idServer, "/_matrix/identity/api/v1/validate/msisdn/requestToken", request, authorization: null, ct);

    /// <summary>Binds the address the identity server validated in session <paramref name="sid"/> to <paramref name="mxid"/>; the address.</summary>
    public async Task<(string Medium, string Address)> BindAsync(string idServer, string idAccessToken, string sid, string clientSecret, string mxid, CancellationToken ct)
    {
        var body = new JsonObject { ["sid"] = sid, ["client_secret"] = clientSecret, ["mxid"] = mxid };
        var answer = await PostAsync(idServer, "/_matrix/identity/v2/3pid/bind", body, $"Bearer {idAccessToken}", ct);
        return ReadThreepid(answer);
    }

    /// <summary>The address the identity server validated in session <paramref name="sid"/> (its own validation, not ours).</summary>
    public async Task<(string Medium, string Address)> GetValidatedAsync(string idServer, string idAccessToken, string sid, string clientSecret, CancellationToken ct)
    {
        var path = $"/_matrix/identity/v2/3pid/getValidated3pid?sid={Uri.EscapeDataString(sid)}&client_secret={Uri.EscapeDataString(clientSecret)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{idServer}{path}");
        request.Headers.Authorization = AuthenticationHeaderValue.Parse($"Bearer {idAccessToken}");
        return ReadThreepid(await SendAsync(idServer, request, ct));
    }

    /// <summary>Removes a binding; false when the identity server does not hold it or does not support unbinding.</summary>
    public async Task<bool> UnbindAsync(string idServer, string mxid, string medium, string address, CancellationToken ct)
    {
        const string path = "/_matrix/identity/v2/3pid/unbind";
        var body = new JsonObject { ["mxid"] = mxid, ["threepid"] = new JsonObject { ["medium"] = medium, ["address"] = address } };
        var auth = XMatrixAuthorization.Create(_key, _server.ServerName, idServer, "POST", path, body);
        try
        {
            await PostAsync(idServer, path, body, auth, ct);
            return true;
        }
        catch (MatrixException e) when (e.Status is 400 or 404 or 501)
        {
            _log.LogInformation("Identity server {IdServer} did not unbind an address: {Status}", idServer, e.Status);
            return false;
        }
    }

    /// <summary>
    /// The user the identity server has <paramref name="address"/> bound to, or null. The address is sent hashed with
    /// the identity server's pepper (sha256), in the clear only when the identity server offers nothing else.
    /// </summary>
    public async Task<string?> LookupAsync(string idServer, string idAccessToken, string medium, string address, CancellationToken ct)
    {
        var bearer = $"Bearer {idAccessToken}";
        using var detailsRequest = new HttpRequestMessage(HttpMethod.Get, $"https://{idServer}/_matrix/identity/v2/hash_details");
        detailsRequest.Headers.TryAddWithoutValidation("Authorization", bearer);
        var details = await SendAsync(idServer, detailsRequest, ct);
        var pepper = details["lookup_pepper"] is JsonValue p && p.GetValueKind() == JsonValueKind.String ? p.GetValue<string>() : "";
        var algorithms = details["algorithms"] is JsonArray a ? a.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>()).ToList() : [];
        string algorithm, key;
        if (algorithms.Contains("sha256"))
        {
            algorithm = "sha256";
            var digest = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{address} {medium} {pepper}"));
            key = Convert.ToBase64String(digest).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }
        else if (algorithms.Contains("none"))
        {
            algorithm = "none";
            key = $"{address} {medium}";
        }
        else
        {
            throw new MatrixException(400, ErrorCodes.Unknown, $"Identity server {idServer} offers no lookup algorithm this server knows");
        }
        var body = new JsonObject { ["algorithm"] = algorithm, ["pepper"] = pepper, ["addresses"] = new JsonArray(key) };
        var answer = await PostAsync(idServer, "/_matrix/identity/v2/lookup", body, bearer, ct);
        return answer["mappings"] is JsonObject mappings && mappings[key] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : null;
    }

    /// <summary>
    /// Whether the identity server still vouches for a key of a third-party invite, asked at the invite's
    /// <c>key_validity_url</c> (https only, through the same address policy). An unreachable server vouches for nothing.
    /// </summary>
    public async Task<bool> IsKeyValidAsync(string keyValidityUrl, string publicKey, CancellationToken ct)
    {
        if (!Uri.TryCreate(keyValidityUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
            return false;
        var separator = string.IsNullOrEmpty(url.Query) ? "?" : "&";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{url}{separator}public_key={Uri.EscapeDataString(publicKey)}");
        try
        {
            var answer = await SendAsync(url.Authority, request, ct);
            return answer["valid"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
        }
        catch (MatrixException e)
        {
            _log.LogInformation("Key validity check at {Url} failed: {Error}", url.Authority, e.Message);
            return false;
        }
    }

    /// <summary>
    /// Asks the identity server to hold an invite for <paramref name="address"/> and tell its owner; the token, the
    /// name to show for the address, and the keys that will sign the invite's redemption.
    /// </summary>
    public async Task<StoredInvite> StoreInviteAsync(string idServer, string idAccessToken, JsonObject invite, CancellationToken ct)
    {
        var answer = await PostAsync(idServer, "/_matrix/identity/v2/store-invite", invite, $"Bearer {idAccessToken}", ct);
        var token = answer["token"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        var keys = answer["public_keys"] is JsonArray k ? k.OfType<JsonObject>().Where(o => o["public_key"] is JsonValue).ToList() : [];
        var legacyKey = answer["public_key"] is JsonValue pk && pk.GetValueKind() == JsonValueKind.String ? pk.GetValue<string>() : null;
        if (string.IsNullOrEmpty(token) || (keys.Count == 0 && legacyKey is null))
            throw new MatrixException(502, ErrorCodes.Unknown, $"Identity server {idServer} answered no invite token or key");
        var displayName = answer["display_name"] is JsonValue d && d.GetValueKind() == JsonValueKind.String ? d.GetValue<string>() : "";
        return new StoredInvite(token, displayName, legacyKey, [.. keys.Select(o => (JsonObject)o.DeepClone())]);
    }

    private async Task<JsonObject> PostAsync(string idServer, string path, JsonObject body, string? authorization, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"https://{idServer}{path}")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, JsonType),
        };
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await SendAsync(idServer, request, ct);
    }

    /// <summary>The JSON object answered; an error answer becomes a <see cref="MatrixException"/> of the same status (400 when it is no client error).</summary>
    private async Task<JsonObject> SendAsync(string idServer, HttpRequestMessage request, CancellationToken ct)
    {
        OutboundResponse res;
        try
        {
            res = await _http.SendAsync(request, ct);
        }
        catch (Exception e) when (GuardedHttpClient.IsRefusal(e))
        {
            throw new MatrixException(400, ErrorCodes.ServerNotTrusted, $"Identity server {idServer} is not reachable from this server");
        }
        catch (Exception e) when (e is HttpRequestException or OutboundTimeoutException or OutboundResponseTooLargeException)
        {
            _log.LogWarning("Identity server {IdServer} failed: {Error}", idServer, e.Message);
            throw new MatrixException(502, ErrorCodes.Unknown, $"Identity server {idServer} could not be reached");
        }
        JsonObject? json;
        try { json = JsonNode.Parse(res.Body) as JsonObject; }
        catch (JsonException) { json = null; }
        if (res.IsSuccessStatusCode && json is not null)
            return json;
        var status = (int)res.StatusCode is >= 400 and < 500 ? (int)res.StatusCode : 400;
        var errcode = json?["errcode"] is JsonValue c && c.GetValueKind() == JsonValueKind.String ? c.GetValue<string>() : ErrorCodes.Unknown;
        var error = json?["error"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : $"Identity server answered {(int)res.StatusCode}";
        throw new MatrixException(status, errcode, error);
    }

    private static (string Medium, string Address) ReadThreepid(JsonObject answer) =>
        answer["medium"] is JsonValue m && m.GetValueKind() == JsonValueKind.String && answer["address"] is JsonValue a && a.GetValueKind() == JsonValueKind.String
            ? (m.GetValue<string>(), a.GetValue<string>())
            : throw new MatrixException(400, ErrorCodes.Unknown, "The identity server's answer names no address");

    public void Dispose() => _http.Dispose();
}
