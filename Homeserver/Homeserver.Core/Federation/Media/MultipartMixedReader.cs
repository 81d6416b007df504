using System.Text;

namespace Homeserver.Core.Federation.Media;

/// <summary>
/// Reads a <c>multipart/mixed</c> body (RFC 2046) part by part as it arrives: a part's headers are read whole (within
/// a cap), its body is handed on in pieces up to the next delimiter, so a part of any size passes through a fixed
/// buffer. Federation's media answers are such bodies (spec v1.11).
/// </summary>
public sealed class MultipartMixedReader
{
    private const int MaxHeaderBytes = 16 * 1024;
    private readonly Stream _source;
    private readonly byte[] _delimiter;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _inBody = true;
    private bool _finished;

    public MultipartMixedReader(Stream source, string boundary)
    {
        _source = source;
        _delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        // The first delimiter may open the body with no line break before it; one is supplied so every delimiter looks alike.
        _buffer[0] = (byte)'\r';
        _buffer[1] = (byte)'\n';
        _end = 2;
    }

    /// <summary>
    /// Moves to the next part, skipping at most <paramref name="maxSkipped"/> bytes of what is left of the current one (the
    /// preamble, at first), and returns its headers by lower-case name; null after the last part.
    /// </summary>
    /// <exception cref="InvalidDataException">The body is not well formed, or ends early.</exception>
    public async Task<Dictionary<string, string>?> NextPartAsync(long maxSkipped, CancellationToken ct)
    {
        var scratch = new byte[4096];
        long skipped = 0;
        int read;
        while ((read = await ReadAsync(scratch, ct)) > 0)
            if ((skipped += read) > maxSkipped)
                throw new InvalidDataException("A multipart part is longer than expected");
        if (_finished)
            return null;
        await EnsureAsync(2, ct);
        if (_buffer[_start] == '-' && _buffer[_start + 1] == '-')
        {
            _finished = true;
            return null;
        }
        // The rest of the delimiter's line may hold only transport padding.
        if (!string.IsNullOrWhiteSpace(await ReadLineAsync(ct)))
            throw new InvalidDataException("A multipart delimiter is followed by other text");
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var total = 0;
        while (await ReadLineAsync(ct) is { Length: > 0 } line)
        {
            if ((total += line.Length) > MaxHeaderBytes)
                throw new InvalidDataException("A multipart part's headers are too long");
            var colon = line.IndexOf(':');
            if (colon <= 0)
                throw new InvalidDataException("A multipart part has a malformed header");
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        _inBody = true;
        return headers;
    }

    /// <summary>The current part's body, read up to its end (0 then); it belongs to this reader, which disposes nothing.</summary>
    public Stream CurrentPart() => new PartStream(this);

    /// <summary>Reads the current part's body; 0 at its end, once the delimiter after it is consumed.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct)
    {
        if (!_inBody || destination.Length == 0)
            return 0;
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var at = available.IndexOf(_delimiter);
            if (at == 0)
            {
                _start += _delimiter.Length;
                _inBody = false;
                return 0;
            }
            // Without a delimiter in sight, the last bytes may still be the start of one.
            var safe = at > 0 ? at : available.Length - (_delimiter.Length - 1);
            if (safe > 0)
            {
                var n = Math.Min(safe, destination.Length);
                available[..n].CopyTo(destination.Span);
                _start += n;
                return n;
            }
            if (_eof)
                throw new InvalidDataException("The multipart body ends inside a part");
            await FillAsync(ct);
        }
    }

    private async Task EnsureAsync(int count, CancellationToken ct)
    {
        while (_end - _start < count && !_eof)
            await FillAsync(ct);
        if (_end - _start < count)
            throw new InvalidDataException("The multipart body ends early");
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (at >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, at);
                _start += at + 2;
                return line;
            }
            if (_end - _start > MaxHeaderBytes)
                throw new InvalidDataException("A multipart header line is too long");
            if (_eof)
                throw new InvalidDataException("The multipart body ends inside a part's headers");
            await FillAsync(ct);
        }
    }

    private async Task FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        var read = await _source.ReadAsync(_buffer.AsMemory(_end), ct);
        if (read == 0)
            _eof = true;
        _end += read;
    }

    /// <summary>The current part as a read-only stream, for copying it on.</summary>
    private sealed class PartStream(MultipartMixedReader reader) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            reader.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            reader.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read the part asynchronously");
        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
