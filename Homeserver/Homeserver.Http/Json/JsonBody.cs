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
        // Buffered (the body size limit bounds it) so the bytes can be checked as UTF-8 first: the parser
        // leaves invalid sequences inside strings for later, where they would surface as a different error.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
            throw MatrixException.NotJson("Content is not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, MatrixJson.DocumentOptions);
        }
        catch (JsonException e)
        {
            throw MatrixException.NotJson("Content not JSON: " + e.Message);
        }
        // The duplicate-key check decodes property names while parsing; a lone surrogate in a name fails there.
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw LoneSurrogate();
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw MatrixException.BadJson("Request body must be a JSON object");
            EnsureWellFormedStrings(doc.RootElement);
            return doc.RootElement.Clone();
        }
    }

    /// <summary>Escaped lone surrogates (<c>"\ud800"</c>) parse but are not text; the spec counts them as not JSON.</summary>
    private static void EnsureWellFormedStrings(JsonElement e)
    {
        try
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        _ = p.Name;
                        EnsureWellFormedStrings(p.Value);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                        EnsureWellFormedStrings(item);
                    break;
                case JsonValueKind.String:
                    _ = e.GetString();
                    break;
            }
        }
        catch (InvalidOperationException)
        {
            throw LoneSurrogate();
        }
    }

    private static MatrixException LoneSurrogate() =>
        MatrixException.NotJson("Content contains an invalid escaped character (lone surrogate)");

    /// <summary>Reads the body, or an empty object when the client sent none (several endpoints allow that).</summary>
    public static async Task<JsonElement> ReadOptionalObjectAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
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
