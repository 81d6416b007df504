using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Homeserver.Testing;

public static class JsonResponses
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage res) =>
        await res.Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>Asserts a Matrix error: status, <c>errcode</c>, a non-empty <c>error</c> and a JSON content type.</summary>
    public static async Task<JsonElement> AssertErrorAsync(this HttpResponseMessage res, HttpStatusCode status, string errcode)
    {
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == status, $"expected {(int)status} {errcode}, got {(int)res.StatusCode}: {text}");
        Assert.Equal("application/json", res.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(errcode, body.GetProperty("errcode").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
        return body;
    }

    public static async Task<JsonElement> AssertOkAsync(this HttpResponseMessage res)
    {
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.IsSuccessStatusCode, $"expected success, got {(int)res.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}
