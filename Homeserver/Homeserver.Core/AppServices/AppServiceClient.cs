using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Outbound;

namespace Homeserver.Core.AppServices;

/// <summary>
/// Calls into an application service (<c>/_matrix/app/v1/…</c>), authenticated with its <c>hs_token</c>. The operator
/// wrote its URL, so unlike a pusher's it may be on the server's own network (bridges usually are); answers are still
/// read within the outbound size and time caps.
/// </summary>
public sealed class AppServiceClient : IDisposable
{
    /// <summary>Time allowed for one call; a transaction of 100 events to a busy bridge can take a while.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly GuardedHttpClient _http = new(new OutboundAddressPolicy(["0.0.0.0/0", "::/0"]), RequestTimeout);

    /// <summary>Sends a transaction; the service answers 2xx once it has it (and again, at once, for one it had).</summary>
    public async Task<AppServiceCallResult> PutTransactionAsync(AppServiceRegistration service, long txnId, JsonObject body, CancellationToken ct) =>
        await CallAsync(service, HttpMethod.Put, $"transactions/{txnId}", body, ct);

    /// <summary>POST /_matrix/app/v1/ping, passing the client's transaction ID through.</summary>
    public async Task<AppServiceCallResult> PingAsync(AppServiceRegistration service, string? transactionId, CancellationToken ct) =>
        await CallAsync(service, HttpMethod.Post, "ping", transactionId is null ? new JsonObject() : new JsonObject { ["transaction_id"] = transactionId }, ct);

    /// <summary>A GET under <c>/_matrix/app/v1/</c> (the user and alias queries, the third-party lookups); its answer is in the result's body.</summary>
    public async Task<AppServiceCallResult> GetAsync(AppServiceRegistration service, string path, CancellationToken ct) =>
        await CallAsync(service, HttpMethod.Get, path, null, ct);

    private async Task<AppServiceCallResult> CallAsync(AppServiceRegistration service, HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        if (service.Url is not { } url)
            throw new InvalidOperationException($"the application service {service.Id} has no URL");
        using var request = new HttpRequestMessage(method, new Uri(url.ToString().TrimEnd('/') + "/_matrix/app/v1/" + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", service.HsToken);
        if (body is not null)
        {
            // Plain application/json without a charset, as Synapse sends it: some services' parsers match the type
            // exactly (SyTest's does), and JSON is UTF-8 by definition.
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await _http.SendAsync(request, ct);
            return new AppServiceCallResult(response.IsSuccessStatusCode ? null : $"status {(int)response.StatusCode}", (int)response.StatusCode,
                Encoding.UTF8.GetString(response.Body), Stopwatch.GetElapsedTime(started));
        }
        catch (OutboundTimeoutException e)
        {
            return new AppServiceCallResult(e.Message, null, null, Stopwatch.GetElapsedTime(started), TimedOut: true);
        }
        catch (HttpRequestException e)
        {
            return new AppServiceCallResult(e.Message, null, null, Stopwatch.GetElapsedTime(started));
        }
    }

    public void Dispose() => _http.Dispose();
}
