namespace MediaRepo.Thumbnails;

/// <summary>
/// Buffered forward-only reads over a stream, for walking container structure byte by byte without a system call
/// per byte. Reads past the end yield -1 / false rather than throwing: truncation is judged by the caller.
/// </summary>
internal sealed class ForwardReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _position;
    private int _length;

    public int ReadByte()
    {
        if (_position == _length && !Fill())
            return -1;
        return _buffer[_position++];
    }

    public bool TryRead(Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            int b = ReadByte();
            if (b < 0)
                return false;
            destination[i] = (byte)b;
        }
        return true;
    }

    public void Skip(long count)
    {
        long buffered = _length - _position;
        if (count <= buffered)
        {
            _position += (int)count;
            return;
        }
        // Seeking past the end is allowed; the next read then reports the end.
        stream.Seek(count - buffered, SeekOrigin.Current);
        _position = _length = 0;
    }

    private bool Fill()
    {
        _length = stream.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
