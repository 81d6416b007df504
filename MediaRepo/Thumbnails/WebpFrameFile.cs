using System.Buffers.Binary;

namespace MediaRepo.Thumbnails;

/// <summary>
/// Wraps the bitstream of one animation frame (an ANMF payload) as a standalone still WebP file, which is what
/// ImageSharp 2.1's decoder accepts.
/// </summary>
internal static class WebpFrameFile
{
    public static byte[] Build(ReadOnlySpan<byte> frameData, int width, int height)
    {
        ReadOnlySpan<byte> alpha = default, image = default;
        string imageFourCc = "";
        var rest = frameData;
        while (rest.Length >= 8)
        {
            string fourCc = System.Text.Encoding.ASCII.GetString(rest[..4]);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(rest[4..8]);
            if (size > rest.Length - 8)
                throw Invalid($"{fourCc} sub-chunk runs past its frame");
            var chunk = rest[..(8 + (int)size)];
            if (fourCc == "ALPH" && alpha.IsEmpty)
                alpha = chunk;
            else if (fourCc is "VP8 " or "VP8L")
            {
                image = chunk;
                imageFourCc = fourCc;
                break; // the bitstream ends the frame data; anything after it is unknown chunks
            }
            rest = rest[Math.Min(rest.Length, chunk.Length + (int)(size & 1))..];
        }
        if (image.IsEmpty)
            throw Invalid("frame without VP8 or VP8L data");

        // Lossless frames carry their own alpha; a lossy frame's alpha lives in ALPH and needs a VP8X header.
        bool extended = imageFourCc == "VP8 " && !alpha.IsEmpty;
        using var file = new MemoryStream();
        file.Write("RIFF\0\0\0\0WEBP"u8);
        if (extended)
        {
            Span<byte> vp8x = stackalloc byte[18];
            "VP8X"u8.CopyTo(vp8x);
            BinaryPrimitives.WriteUInt32LittleEndian(vp8x[4..], 10);
            vp8x[8] = 0x10; // alpha flag
            WriteUInt24(vp8x[12..], width - 1);
            WriteUInt24(vp8x[15..], height - 1);
            file.Write(vp8x);
            WriteChunk(file, alpha);
        }
        WriteChunk(file, image);
        byte[] bytes = file.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        return bytes;
    }

    private static void WriteChunk(MemoryStream file, ReadOnlySpan<byte> chunk)
    {
        file.Write(chunk);
        if ((chunk.Length & 1) != 0)
            file.WriteByte(0);
    }

    private static void WriteUInt24(Span<byte> b, int value)
    {
        b[0] = (byte)value;
        b[1] = (byte)(value >> 8);
        b[2] = (byte)(value >> 16);
    }

    private static ThumbnailException Invalid(string why) => new(ThumbnailErrorKind.Invalid, $"Malformed animated WebP: {why}.");
}
