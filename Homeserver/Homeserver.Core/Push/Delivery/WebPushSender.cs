using System.Net;
using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Keys;
using Homeserver.Core.Outbound;
using Homeserver.Core.Push.Pushers;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;

namespace Homeserver.Core.Push.Delivery;

/// <summary>
/// Sends to Web Push subscriptions (pusher kind <c>webpush</c>, MSC4174): the payload encrypted with the
/// subscription's keys (RFC 8291, aes128gcm) and signed with the server's VAPID key (RFC 8292).
/// </summary>
public sealed class WebPushSender : IDisposable
{
    /// <summary>MSC4174's TTL: two days for the push service to hold a message for an unreachable device.</summary>
    private const int TimeToLiveSeconds = 172800;

    private readonly HttpClient _http;
    private readonly PushServiceClient _client;
    private readonly VapidAuthentication _vapid;
    private readonly TimeProvider _time;

    public WebPushSender(GuardedHttpClient http, VapidKey key, PushOptions options, TimeProvider time)
    {
        _vapid = new VapidAuthentication(key.PublicKey, key.PrivateKey) { TokenCache = new VapidTokenCache(time) };
        if (!string.IsNullOrEmpty(options.VapidSubject))
            _vapid.Subject = options.VapidSubject;
        _http = http.With(new VapidOriginHandler(_vapid));
        _client = new PushServiceClient(_http) { AutoRetryAfter = false, DefaultTimeToLive = TimeToLiveSeconds };
        _time = time;
    }

    public async Task<PushSendResult> SendAsync(PusherRecord pusher, JsonObject payload, bool highUrgency, CancellationToken ct)
    {
        var data = JsonNode.Parse(pusher.Data)!;
        var subscription = new PushSubscription { Endpoint = data["url"]!.GetValue<string>() };
        var service = LoggedDestination.Of(subscription.Endpoint, withPath: false);
        subscription.SetKey(PushEncryptionKeyName.P256DH, pusher.Pushkey);
        subscription.SetKey(PushEncryptionKeyName.Auth, data["auth"]!.GetValue<string>());
        var message = new PushMessage(payload.ToJsonString())
        {
            TimeToLive = TimeToLiveSeconds,
            Urgency = highUrgency ? PushMessageUrgency.High : PushMessageUrgency.Normal,
        };
        try
        {
            await _client.RequestPushMessageDeliveryAsync(subscription, message, _vapid, VapidAuthenticationScheme.Vapid, ct);
            return PushSendResult.Delivered;
        }
        // RFC 8030: the subscription expired or was never valid; MSC4174 adds 403.
        catch (PushServiceClientException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.Forbidden)
        {
            return PushSendResult.Gone($"push service {service} answered {(int)e.StatusCode}: the subscription is gone");
        }
        catch (PushServiceClientException e)
        {
            return PushSendResult.Retry($"push service {service} answered {(int)e.StatusCode}",
                e.StatusCode == HttpStatusCode.TooManyRequests ? e.Headers?.RetryAfter : null, _time);
        }
        catch (Exception e) when (GuardedHttpClient.IsRefusal(e))
        {
            return PushSendResult.Refused($"not sent to push service {service}: {e.Message}");
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return PushSendResult.Retry($"push service {service} unreachable: {e.Message}", null, _time);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _vapid.Dispose();
    }
}
