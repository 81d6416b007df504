using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Outbound;

namespace Homeserver.Core.Push.Pushers;

/// <summary>
/// The spec's limits on pushers, MSC4174's on Web Push subscriptions, and the destination rules (checklist rows 76
/// and 77): https only, and no IP literal in a refused range, unless the operator allow-listed it.
/// </summary>
public sealed class PusherValidator(OutboundAddressPolicy policy)
{
    public const int MaxAppIdLength = 64;
    public const int MaxPushkeyBytes = 512;
    /// <summary>Real gateway and push-service URLs are a few hundred characters; longer ones are refused, not stored.</summary>
    public const int MaxUrlLength = 2048;
    public const string NotifyPath = "/_matrix/push/v1/notify";

    /// <summary>Checks the identifying fields, needed by deletion too.</summary>
    public static void CheckKey(string appId, string pushkey)
    {
        if (appId.Length is 0 or > MaxAppIdLength)
            throw MatrixException.InvalidParam($"app_id must be 1 to {MaxAppIdLength} characters");
        if (pushkey.Length == 0 || Encoding.UTF8.GetByteCount(pushkey) > MaxPushkeyBytes)
            throw MatrixException.InvalidParam($"pushkey must be 1 to {MaxPushkeyBytes} bytes");
    }

    public void Check(PusherRequest r)
    {
        CheckKey(r.AppId, r.Pushkey);
        if (r.Kind is not (PusherRecord.HttpKind or PusherRecord.WebPushKind))
            throw MatrixException.InvalidParam($"kind '{r.Kind}' is not supported; use http or webpush");
        if (r.Data["url"] is null)
            throw MatrixException.MissingParam($"data.url is required for {r.Kind} pushers");
        var url = Url(r.Data);
        if (r.Kind == PusherRecord.HttpKind && url.AbsolutePath != NotifyPath)
            throw MatrixException.InvalidParam($"data.url must have the path {NotifyPath}");
        // The schema makes format a string; a value other than event_id_only means the full format, as in Synapse.
        if (r.Data["format"] is { } format && format.GetValueKind() != JsonValueKind.String)
            throw MatrixException.InvalidParam("data.format must be a string");
        if (r.Kind == PusherRecord.WebPushKind)
            CheckWebPushKeys(r.Pushkey, r.Data);
    }

    private Uri Url(JsonObject data)
    {
        var node = data["url"]!;
        if (node.GetValueKind() != JsonValueKind.String)
            throw MatrixException.InvalidParam("data.url must be a string");
        var text = node.GetValue<string>();
        if (text.Length > MaxUrlLength)
            throw MatrixException.InvalidParam($"data.url is longer than {MaxUrlLength} characters");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || url.Host.Length == 0 || url.UserInfo.Length > 0)
            throw MatrixException.InvalidParam("data.url must be an absolute https URL");
        var literal = IPAddress.TryParse(url.IdnHost, out var ip) ? ip : null;
        if (literal is not null && !policy.IsAllowed(literal))
            throw MatrixException.InvalidParam("data.url points at a private or reserved address");
        if (url.Scheme == "http" && (literal is null || !policy.IsAllowListed(literal)))
            throw MatrixException.InvalidParam("data.url must be an https URL");
        return url;
    }

    /// <summary>MSC4174: the pushkey is the subscription's P-256 public key, uncompressed; data.auth its 16-byte secret.</summary>
    private static void CheckWebPushKeys(string pushkey, JsonObject data)
    {
        if (!TryDecode(pushkey, out var point) || point.Length != 65 || point[0] != 0x04 || !IsP256Point(point))
            throw MatrixException.InvalidParam("pushkey must be an uncompressed P-256 public key in URL-safe Base64 without padding");
        if (data["auth"] is not { } auth)
            throw MatrixException.MissingParam("data.auth is required for webpush pushers");
        if (auth.GetValueKind() != JsonValueKind.String || !TryDecode(auth.GetValue<string>(), out var secret) || secret.Length != 16)
            throw MatrixException.InvalidParam("data.auth must be 16 bytes in URL-safe Base64 without padding");
    }

    private static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Contains('=') || !Base64Url.IsValid(text))
            return false;
        bytes = Base64Url.DecodeFromChars(text);
        return true;
    }

    private static bool IsP256Point(byte[] point)
    {
        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[1..33], Y = point[33..] },
            });
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
