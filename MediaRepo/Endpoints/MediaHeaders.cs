using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace MediaRepo.Endpoints;

/// <summary>
/// Response headers that make serving user uploads safe: the stored type only for types a browser will not
/// run as a page, <c>inline</c> only for those, a sandboxing CSP, no sniffing, and CORP so web clients can
/// embed images (spec content repository "Security considerations"; checklist rows 67 and 68).
/// </summary>
public static class MediaHeaders
{
    /// <summary>Synapse's inline-safe types: media and plain text, never HTML, SVG, XML or scripts.</summary>
    private static readonly HashSet<string> InlineTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "text/css", "text/plain", "text/csv", "application/json", "application/ld+json",
        "image/jpeg", "image/gif", "image/png", "image/apng", "image/webp", "image/avif",
        "video/mp4", "video/webm", "video/ogg", "video/quicktime",
        "audio/mp4", "audio/webm", "audio/aac", "audio/mpeg", "audio/ogg", "audio/wave", "audio/wav", "audio/x-wav", "audio/x-pn-wav",
        "audio/flac", "audio/x-flac",
    };

    public const string ContentSecurityPolicy =
        "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';";

    /// <summary>Sets the safety headers and Content-Disposition; returns the Content-Type to serve.</summary>
    public static string Apply(HttpResponse response, string? storedType, string? fileName)
    {
        var servedType = Classify(storedType).ServedType;
        response.Headers.ContentDisposition = Disposition(storedType, fileName);
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        response.Headers["Referrer-Policy"] = "no-referrer";
        return servedType;
    }

    /// <summary>The <c>Content-Disposition</c>: <c>inline</c> only for inline-safe types, with the file name when there is one.</summary>
    public static string Disposition(string? storedType, string? fileName)
    {
        var disposition = new ContentDispositionHeaderValue(Classify(storedType).Inline ? "inline" : "attachment");
        if (!string.IsNullOrEmpty(fileName))
            disposition.SetHttpFileName(fileName);
        return disposition.ToString();
    }

    /// <summary>The type to serve and whether it may be shown inline.</summary>
    public static (string ServedType, bool Inline) Classify(string? storedType)
    {
        if (storedType is null || !MediaTypeHeaderValue.TryParse(storedType, out var parsed) || parsed.MediaType.Value is not { } bare)
            return ("application/octet-stream", false);
        if (!InlineTypes.Contains(bare))
            return ("application/octet-stream", false);
        // Text keeps its charset (a browser guessing one is how text turns into script); other parameters go.
        var charset = parsed.Charset.HasValue && bare.StartsWith("text/", StringComparison.OrdinalIgnoreCase) ? $"; charset={parsed.Charset.Value}" : "";
        return (bare.ToLowerInvariant() + charset, true);
    }
}
