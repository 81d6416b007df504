namespace MediaRepo.Thumbnails;

/// <summary>
/// Counts a GIF's frames by walking its block structure (skipping the compressed data), so the animation budget can
/// be checked before ImageSharp decodes any frame. ImageSharp 2.1's Identify does not report a frame count.
/// </summary>
internal static class GifFrameCounter
{
    private const int ImageDescriptor = 0x2C;
    private const int Extension = 0x21;
    private const int Trailer = 0x3B;
    private const int BlockTerminator = 0x00;

    /// <summary>The number of frames, or <paramref name="stopAt"/> as soon as that many are seen.</summary>
    /// <remarks>
    /// Follows ImageSharp's decoder loop (stray bytes are skipped, a zero byte or the trailer ends the file), and the
    /// decoder is in any case limited to the frames counted here, so a disagreement cannot cost more memory.
    /// </remarks>
    public static int Count(Stream source, int stopAt, CancellationToken ct)
    {
        source.Position = 0;
        var reader = new ForwardReader(source);
        reader.Skip(6); // "GIF89a"
        Span<byte> screen = stackalloc byte[7];
        if (!reader.TryRead(screen))
            return 0;
        reader.Skip(ColorTableLength(screen[4]));

        Span<byte> descriptor = stackalloc byte[9];
        int frames = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            int block = reader.ReadByte();
            if (block is -1 or BlockTerminator or Trailer)
                return frames;
            if (block == ImageDescriptor)
            {
                if (++frames >= stopAt)
                    return frames;
                if (!reader.TryRead(descriptor))
                    return frames;
                reader.Skip(ColorTableLength(descriptor[8]));
                reader.Skip(1); // LZW minimum code size
                SkipSubBlocks(reader);
            }
            else if (block == Extension)
            {
                reader.Skip(1); // label
                SkipSubBlocks(reader);
            }
        }
    }

    private static int ColorTableLength(byte packed) => (packed & 0x80) != 0 ? 3 << ((packed & 0x07) + 1) : 0;

    private static void SkipSubBlocks(ForwardReader reader)
    {
        int size;
        while ((size = reader.ReadByte()) > 0)
            reader.Skip(size);
    }
}
