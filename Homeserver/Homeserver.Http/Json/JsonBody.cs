using System.Text.Json;
using Homeserver.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Homeserver.Http.Json;

/// <summary>
/// Reads request bodies the way the spec grades mistakes: unparseable → <c>M_NOT_JSON</c>; valid JSON of the
/// wrong shape → <c>M_BAD_JSON</c>. Model binding is not used because it answers both with a generic 400.
/// </summary>
public static class JsonBody
{
    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(request.Body, MatrixJson.DocumentOptions, ct);
        }
        catch (JsonException e)
        {
            throw MatrixException.NotJson("Content not JSON: " + e.Message);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw MatrixException.BadJson("Request body must be a JSON object");
            return doc.RootElement.Clone();
        }
    }

    /// <summary>Reads the body, or an empty object when the client sent none (several endpoints allow that).</summary>
    public static async Task<JsonElement> ReadOptionalObjectAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
            return JsonDocument.Parse("{}").RootElement.Clone();
        return await ReadObjectAsync(request, ct);
    }

    public static T Bind<T>(JsonElement body)
    {
        try
        {
            return body.Deserialize<T>(MatrixJson.Options) ?? throw MatrixException.BadJson("Request body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw MatrixException.BadJson($"Invalid value{(e.Path is { } p ? " at " + p : "")}: {FirstLine(e.Message)}");
        }
    }

    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken ct) =>
        Bind<T>(await ReadObjectAsync(request, ct));

    private static string FirstLine(string s) => s.Split('\n')[0].Split(". Path:")[0];
}
