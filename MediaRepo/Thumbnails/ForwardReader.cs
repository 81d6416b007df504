namespace MediaRepo.Thumbnails;

/// <summary>
/// Buffered forward-only reads over a stream, for walking container structure byte by byte without a system call
/// per byte. Reads past the end yield -1 / false rather than throwing: truncation is judged by the caller.
/// </summary>
internal sealed class ForwardReader(Stream stream)
{
    private readonly byte[] buffer = new byte[64 * 1024];
    private int position;
    private int length;

    public int ReadByte()
    {
        if (position == length && !Fill())
            return -1;
        return buffer[position++];
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
        long buffered = length - position;
        if (count <= buffered)
        {
            position += (int)count;
            return;
        }
        // Seeking past the end is allowed; the next read then reports the end.
        stream.Seek(count - buffered, SeekOrigin.Current);
        position = length = 0;
    }

    private bool Fill()
    {
        length = stream.Read(buffer, 0, buffer.Length);
        position = 0;
        return length > 0;
    }
}
