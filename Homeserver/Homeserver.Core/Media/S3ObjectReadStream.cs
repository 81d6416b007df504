using Amazon.S3.Model;

namespace Homeserver.Core.Media;

/// <summary>
/// An object's body as a seekable stream: it reads the open response and, after a seek, asks the store again
/// from the new offset (a Range request seeks once; image parsers skip short distances, which are read past instead).
/// </summary>
internal sealed class S3ObjectReadStream(Func<long, Task<GetObjectResponse?>> openAt, GetObjectResponse first, long length) : Stream
{
    private const long ReadPastLimit = 64 * 1024;

    private GetObjectResponse? _response = first;
    private long _responsePosition;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => length + offset,
    };

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.Length == 0)
            return 0;
        var body = await BodyAtPositionAsync(cancellationToken);
        var read = await body.ReadAsync(buffer, cancellationToken);
        _position += read;
        _responsePosition += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The thumbnail parsers read synchronously; the response body is a network stream either way.
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _response?.Dispose();
        _response = null;
        base.Dispose(disposing);
    }

    private async Task<Stream> BodyAtPositionAsync(CancellationToken ct)
    {
        var ahead = _position - _responsePosition;
        if (_response is not null && ahead is > 0 and <= ReadPastLimit)
        {
            var skip = new byte[ahead];
            await _response.ResponseStream.ReadExactlyAsync(skip, ct);
            _responsePosition = _position;
        }
        if (_response is null || _responsePosition != _position)
        {
            _response?.Dispose();
            _response = await openAt(_position) ?? throw new IOException("the media object disappeared while it was being read");
            _responsePosition = _position;
        }
        return _response.ResponseStream;
    }
}
