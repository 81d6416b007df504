using System.Net;
using System.Text;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Http;

public sealed class ErrorShapeTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\":1,\"a\":2}")]
    public async Task Body_NotJson_IsNotJson(string text)
    {
        var hs = await fixture.GetAsync("sqlite");
        var res = await hs.Client.PostAsync("/_matrix/client/v3/login", Json(text));
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_NOT_JSON");
    }

    [Theory]
    [InlineData("1e308")]
    [InlineData("99999999999999999999")]
    [InlineData("soon")]
    public async Task QueryValue_ThatDoesNotBind_IsInvalidParam_InMatrixShape(string timeout)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var res = await c.GetAsync($"/_matrix/client/v1/media/download/{TestHomeserver.ServerName}/nosuchmedia?timeout_ms={timeout}");
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Fact]
    public async Task Body_InvalidUtf8_IsNotJson()
    {
        var hs = await fixture.GetAsync("sqlite");
        var bytes = new ByteArrayContent([(byte)'{', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        bytes.Headers.ContentType = new("application/json");
        var res = await hs.Client.PostAsync("/_matrix/client/v3/login", bytes);
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_NOT_JSON");
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"string\"")]
    [InlineData("{\"type\":\"m.login.password\",\"device_id\":5}")]
    [InlineData("{\"type\":\"m.login.password\",\"refresh_token\":\"yes\"}")]
    public async Task Body_WrongShape_IsBadJson(string text)
    {
        var hs = await fixture.GetAsync("sqlite");
        var res = await hs.Client.PostAsync("/_matrix/client/v3/login", Json(text));
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
    }

    [Fact]
    public async Task Body_LoneSurrogate_IsNotJson()
    {
        var hs = await fixture.GetAsync("sqlite");
        var res = await hs.Client.PostAsync("/_matrix/client/v3/login", Json("{\"type\":\"\\ud800\"}"));
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_NOT_JSON");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Body_OverLimit_IsTooLarge(bool chunked)
    {
        // A small limit keeps the whole body inside the socket buffers, so the client has finished sending
        // when the server answers and closes, and can read the answer.
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.Limits.MaxRequestBodySize = new(65536));
        var big = Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 100_000) + "\"}");
        var content = new StreamContent(new MemoryStream(big));
        content.Headers.ContentType = new("application/json");
        if (!chunked)
            content.Headers.ContentLength = big.Length;
        var req = new HttpRequestMessage(HttpMethod.Post, "/_matrix/client/v3/login") { Content = content };
        req.Headers.TransferEncodingChunked = chunked;
        var res = await hs.Client.SendAsync(req);
        await res.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "M_TOO_LARGE");
    }

    [Fact]
    public async Task UnknownEndpoint_IsUnrecognized404()
    {
        var hs = await fixture.GetAsync("sqlite");
        await (await hs.Client.GetAsync("/_matrix/client/v3/no/such/endpoint")).AssertErrorAsync(HttpStatusCode.NotFound, "M_UNRECOGNIZED");
    }

    [Fact]
    public async Task WrongMethod_IsUnrecognized405()
    {
        var hs = await fixture.GetAsync("sqlite");
        await (await hs.Client.DeleteAsync("/_matrix/client/v3/login")).AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "M_UNRECOGNIZED");
    }

    [Fact]
    public async Task Preflight_AnswersWithSpecCorsHeaders()
    {
        var hs = await fixture.GetAsync("sqlite");
        var req = new HttpRequestMessage(HttpMethod.Options, "/_matrix/client/v3/login");
        req.Headers.Add("Origin", "https://app.element.io");
        req.Headers.Add("Access-Control-Request-Method", "POST");
        req.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        var res = await hs.Client.SendAsync(req);
        Assert.True(res.IsSuccessStatusCode, $"preflight got {(int)res.StatusCode}");
        Assert.Equal("*", res.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var methods = string.Join(",", res.Headers.GetValues("Access-Control-Allow-Methods"));
        foreach (var m in new[] { "GET", "POST", "PUT", "DELETE" })
            Assert.Contains(m, methods);
        var headers = string.Join(",", res.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
        Assert.Contains("authorization", headers);
        Assert.Contains("content-type", headers);
    }

    [Fact]
    public async Task ActualRequest_CarriesAllowOrigin()
    {
        var hs = await fixture.GetAsync("sqlite");
        var req = new HttpRequestMessage(HttpMethod.Get, "/_matrix/client/versions");
        req.Headers.Add("Origin", "https://app.element.io");
        var res = await hs.Client.SendAsync(req);
        Assert.Equal("*", res.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task UnknownQueryParameters_AreIgnored()
    {
        var hs = await fixture.GetAsync("sqlite");
        var body = await (await hs.Client.GetAsync("/_matrix/client/versions?foo=bar&baz")).AssertOkAsync();
        Assert.Contains("v1.1", body.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
    }
}
