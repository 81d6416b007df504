using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Outbound;
using Homeserver.Core.Push.Pushers;

namespace Homeserver.Core.Push.Delivery;

/// <summary>Posts notifications to push gateways (pusher kind <c>http</c>, the Push Gateway API's <c>/notify</c>).</summary>
public sealed class HttpPushSender(GuardedHttpClient http, TimeProvider time)
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    public async Task<PushSendResult> SendAsync(PusherRecord pusher, JsonObject body, CancellationToken ct)
    {
        var url = JsonNode.Parse(pusher.Data)!["url"]!.GetValue<string>();
        var gateway = LoggedDestination.Of(url, withPath: true);
        try
        {
            // Exactly application/json: gateways in use (SyTest's among them) refuse the type with a charset.
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, JsonType) };
            var res = await http.SendAsync(request, ct);
            if (res.IsSuccessStatusCode)
                return Rejected(res.Body, pusher.Pushkey) ? PushSendResult.Gone($"push gateway {gateway} rejected the pushkey") : PushSendResult.Delivered;
            return PushSendResult.Retry($"push gateway {gateway} answered {(int)res.StatusCode}",
                res.StatusCode == HttpStatusCode.TooManyRequests ? res.Headers.RetryAfter : null, time);
        }
        catch (Exception e) when (GuardedHttpClient.IsRefusal(e))
        {
            return PushSendResult.Refused($"not sent to push gateway {gateway}: {e.Message}");
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return PushSendResult.Retry($"push gateway {gateway} failed: {e.Message}", null, time);
        }
    }

    /// <summary>Whether the gateway's answer lists this pushkey under <c>rejected</c>.</summary>
    private static bool Rejected(byte[] response, string pushkey)
    {
        try
        {
            return JsonNode.Parse(response)?["rejected"] is JsonArray rejected &&
                rejected.Any(k => k is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == pushkey);
        }
        catch (JsonException)
        {
            // A 2xx with a body that is not JSON still accepted the notification.
            return false;
        }
    }
}
