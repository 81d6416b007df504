namespace Homeserver.Core.Media.Remote;

/// <summary>
/// Another server's media, asked of that server: the federation client's part, declared here so the media domain does
/// not depend on federation. Failures are <see cref="Errors.MatrixException"/>s as our client should get them: 404
/// <c>M_NOT_FOUND</c> when the origin has no such media, 502 when it cannot be reached or answers badly.
/// </summary>
public interface IRemoteMediaSource
{
    Task<RemoteMediaStream> OpenDownloadAsync(string origin, string mediaId, CancellationToken ct);

    Task<RemoteMediaStream> OpenThumbnailAsync(string origin, string mediaId, ThumbnailSizeRequest size, CancellationToken ct);
}

/// <summary>A thumbnail size as asked of the origin (one of our configured sizes).</summary>
public sealed record ThumbnailSizeRequest(int Width, int Height, string Method, bool Animated);
