namespace Homeserver.Core.Media.Remote;

/// <summary>
/// The bytes of a remote answer as they arrive, with the type and file name the origin gave; disposing it closes the
/// connection (<paramref name="owner"/>, the answer the body belongs to).
/// </summary>
public sealed class RemoteMediaStream(Stream body, string? contentType, string? fileName, IDisposable owner) : IAsyncDisposable
{
    public Stream Body { get; } = body;
    public string? ContentType { get; } = contentType;
    public string? FileName { get; } = fileName;

    public async ValueTask DisposeAsync()
    {
        await Body.DisposeAsync();
        owner.Dispose();
    }
}
