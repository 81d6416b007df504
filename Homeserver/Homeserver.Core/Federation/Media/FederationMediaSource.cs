using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Media.Remote;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Media;

/// <summary>
/// Other servers' media over federation: <c>GET /_matrix/federation/v1/media/download</c> and <c>/thumbnail</c>, whose
/// <c>multipart/mixed</c> answer holds a JSON part and the bytes or a <c>Location</c> to fetch them from. A server that
/// does not know those endpoints (404 <c>M_UNRECOGNIZED</c>) is asked at the legacy <c>/_matrix/media/v3</c> ones, as
/// Synapse does. Every connection goes through the federation client, so its address policy holds.
/// </summary>
public sealed class FederationMediaSource(FederationClient client, FederationHttp http, ILogger<FederationMediaSource> log) : IRemoteMediaSource
{
    /// <summary>The JSON part holds metadata (nothing yet); a larger one, or a larger preamble, is not a media answer.</summary>
    private const long MaxMetadataBytes = 64 * 1024;

    public Task<RemoteMediaStream> OpenDownloadAsync(string origin, string mediaId, CancellationToken ct) =>
        OpenAsync(origin, $"/_matrix/federation/v1/media/download/{mediaId}",
            $"/_matrix/media/v3/download/{origin}/{mediaId}?allow_remote=false&allow_redirect=true", ct);

    public Task<RemoteMediaStream> OpenThumbnailAsync(string origin, string mediaId, ThumbnailSizeRequest size, CancellationToken ct)
    {
        var query = string.Create(CultureInfo.InvariantCulture,
            $"width={size.Width}&height={size.Height}&method={size.Method}&animated={(size.Animated ? "true" : "false")}");
        return OpenAsync(origin, $"/_matrix/federation/v1/media/thumbnail/{mediaId}?{query}",
            $"/_matrix/media/v3/thumbnail/{origin}/{mediaId}?{query}&allow_remote=false&allow_redirect=true", ct);
    }

    private async Task<RemoteMediaStream> OpenAsync(string origin, string federationPath, string legacyPath, CancellationToken ct)
    {
        var response = await SendAsync(origin, federationPath, ct);
        try
        {
            if (response.StatusCode == HttpStatusCode.NotFound && await IsUnrecognizedAsync(response, ct))
            {
                response.Dispose();
                log.LogDebug("{Origin} has no federation media endpoints; asking its legacy ones", origin);
                response = await SendAsync(origin, legacyPath, ct);
                EnsureSuccess(response, origin);
                return await WholeAsync(response, ct);
            }
            EnsureSuccess(response, origin);
            return await FromMultipartAsync(response, origin, ct);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string origin, string path, CancellationToken ct)
    {
        try
        {
            return await client.OpenAsync(origin, path, ct);
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Media request {Path} to {Origin} failed: {Reason}", path, origin, e.Message);
            throw Failed();
        }
    }

    /// <summary>The multipart answer's second part: the bytes, or where to fetch them.</summary>
    private async Task<RemoteMediaStream> FromMultipartAsync(HttpResponseMessage response, string origin, CancellationToken ct)
    {
        var type = response.Content.Headers.ContentType;
        var boundary = type?.Parameters.FirstOrDefault(p => p.Name.Equals("boundary", StringComparison.OrdinalIgnoreCase))?.Value?.Trim('"');
        if (!string.Equals(type?.MediaType, "multipart/mixed", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(boundary) || boundary.Length > 70)
        {
            log.LogInformation("{Origin} answered a media request with {ContentType}, not multipart/mixed", origin, type?.ToString());
            throw Failed();
        }
        var body = await response.Content.ReadAsStreamAsync(ct);
        try
        {
            var reader = new MultipartMixedReader(body, boundary);
            if (await reader.NextPartAsync(MaxMetadataBytes, ct) is null)
                throw new InvalidDataException("no metadata part");
            await EnsureJsonAsync(reader, ct);
            var part = await reader.NextPartAsync(MaxMetadataBytes, ct) ?? throw new InvalidDataException("no media part");
            if (part.TryGetValue("location", out var location))
            {
                await body.DisposeAsync();
                response.Dispose();
                return await FollowAsync(location, origin, ct);
            }
            return new RemoteMediaStream(reader.CurrentPart(), part.GetValueOrDefault("content-type"),
                FileName(part.GetValueOrDefault("content-disposition")), new Owned(body, response));
        }
        catch (InvalidDataException e)
        {
            await body.DisposeAsync();
            log.LogInformation("{Origin} answered a media request with a malformed multipart body: {Reason}", origin, e.Message);
            throw Failed();
        }
    }

    private static async Task EnsureJsonAsync(MultipartMixedReader reader, CancellationToken ct)
    {
        using var metadata = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await reader.ReadAsync(chunk, ct)) > 0)
        {
            if (metadata.Length + read > MaxMetadataBytes)
                throw new InvalidDataException("the metadata part is too long");
            metadata.Write(chunk, 0, read);
        }
        try
        {
            using var _ = JsonDocument.Parse(metadata.ToArray());
        }
        catch (JsonException)
        {
            throw new InvalidDataException("the metadata part is not JSON");
        }
    }

    /// <summary>The bytes at a <c>Location</c> the origin named: a plain https <c>GET</c>, through the same address policy.</summary>
    private async Task<RemoteMediaStream> FollowAsync(string location, string origin, CancellationToken ct)
    {
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            log.LogInformation("{Origin} redirected a media request to {Location}, which is not an http(s) URL", origin, location);
            throw Failed();
        }
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            response = await http.Client.OpenAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Media of {Origin} at {Location} could not be fetched: {Reason}", origin, location, e.Message);
            throw Failed();
        }
        try
        {
            EnsureSuccess(response, origin);
            return await WholeAsync(response, ct);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task<RemoteMediaStream> WholeAsync(HttpResponseMessage response, CancellationToken ct) =>
        new(await response.Content.ReadAsStreamAsync(ct), response.Content.Headers.ContentType?.ToString(),
            FileName(response.Content.Headers.ContentDisposition?.ToString()), response);

    private static async Task<bool> IsUnrecognizedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > MaxMetadataBytes)
            return false;
        var error = FederationRequestException.ErrorOf(await response.Content.ReadAsByteArrayAsync(ct));
        return error?["errcode"]?.GetValue<string>() == ErrorCodes.Unrecognized;
    }

    private void EnsureSuccess(HttpResponseMessage response, string origin)
    {
        if (response.IsSuccessStatusCode)
            return;
        log.LogInformation("{Origin} answered a media request with {Status}", origin, (int)response.StatusCode);
        throw response.StatusCode == HttpStatusCode.NotFound ? MatrixException.NotFound("Remote media not found") : Failed();
    }

    /// <summary>The file name of a <c>Content-Disposition</c>, preferring RFC 5987's <c>filename*</c>; null without one.</summary>
    private static string? FileName(string? disposition)
    {
        if (disposition is null || !ContentDispositionHeaderValue.TryParse(disposition, out var parsed))
            return null;
        var name = parsed.FileNameStar ?? parsed.FileName?.Trim('"');
        return string.IsNullOrWhiteSpace(name) ? null : name;
    }

    private static MatrixException Failed() => new(502, ErrorCodes.Unknown, "Failed to fetch remote media");

    /// <summary>A part's stream owns nothing, so the answer and its body are closed together when the part is done.</summary>
    private sealed class Owned(Stream body, HttpResponseMessage response) : IDisposable
    {
        public void Dispose()
        {
            body.Dispose();
            response.Dispose();
        }
    }
}
