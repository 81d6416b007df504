using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Outbound;
using Homeserver.Core.Push.Pushers;
using Xunit;

namespace Homeserver.UnitTests.Push;

public sealed class PusherValidatorTests
{
    private static readonly PusherValidator Strict = new(new OutboundAddressPolicy([]));
    private static readonly PusherValidator Loopback = new(new OutboundAddressPolicy(["127.0.0.1/32"]));

    private static PusherRequest Http(string url) => new("http", "app", "key", "App", "Device", null, "en", new JsonObject { ["url"] = url }, false);

    private static string ValidP256Key()
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        return Base64Url.EncodeToString([0x04, .. q.X!, .. q.Y!]);
    }

    private static PusherRequest WebPush(string pushkey, string url = "https://push.example/sub", string? auth = "AAECAwQFBgcICQoLDA0ODw") =>
        new("webpush", "app", pushkey, "App", "Device", null, "en", auth is null ? new JsonObject { ["url"] = url } : new JsonObject { ["url"] = url, ["auth"] = auth }, false);

    private static string Errcode(Action check) => Assert.Throws<MatrixException>(check).Errcode;

    [Fact]
    public void HttpsGatewayWithTheSpecPath_IsAccepted() => Strict.Check(Http("https://gw.example.org/_matrix/push/v1/notify"));

    [Theory]
    [InlineData("https://gw.example.org/notify")]
    [InlineData("http://gw.example.org/_matrix/push/v1/notify")]
    [InlineData("ftp://gw.example.org/_matrix/push/v1/notify")]
    [InlineData("https://user:pw@gw.example.org/_matrix/push/v1/notify")]
    [InlineData("https://192.168.0.10/_matrix/push/v1/notify")]
    [InlineData("https://[::1]/_matrix/push/v1/notify")]
    [InlineData("http://127.0.0.1/_matrix/push/v1/notify")]
    [InlineData("/_matrix/push/v1/notify")]
    public void BadGatewayUrl_IsInvalid(string url) => Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => Strict.Check(Http(url))));

    [Fact]
    public void AllowListedLiteral_MayUsePlainHttp()
    {
        Loopback.Check(Http("http://127.0.0.1:8080/_matrix/push/v1/notify"));
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => Loopback.Check(Http("http://localhost:8080/_matrix/push/v1/notify"))));
    }

    [Fact]
    public void LongKeysAndUrls_AreInvalid()
    {
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => Strict.Check(Http("https://gw.example.org/_matrix/push/v1/notify?" + new string('x', 3000)))));
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => PusherValidator.CheckKey(new string('a', 65), "k")));
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => PusherValidator.CheckKey("a", new string('é', 257))));
        PusherValidator.CheckKey(new string('a', 64), new string('k', 512));
    }

    [Fact]
    public void WebPush_NeedsAP256PointAndA16ByteSecret()
    {
        var key = ValidP256Key();
        Strict.Check(WebPush(key));
        Assert.Equal(ErrorCodes.MissingParam, Errcode(() => Strict.Check(WebPush(key, auth: null))));
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => Strict.Check(WebPush(key, auth: "AAEC"))));
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => Strict.Check(WebPush(key, url: "http://push.example/sub"))));
        // Padded Base64, a compressed point, and a point off the curve.
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => Strict.Check(WebPush(key + "="))));
        var point = Base64Url.DecodeFromChars(key);
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => Strict.Check(WebPush(Base64Url.EncodeToString(point.AsSpan(0, 33))))));
        point[64] ^= 1;
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => Strict.Check(WebPush(Base64Url.EncodeToString(point)))));
    }
}
