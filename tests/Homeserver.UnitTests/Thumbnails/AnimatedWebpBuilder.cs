using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Homeserver.UnitTests.Thumbnails;

/// <summary>
/// Assembles an animated WebP from frames encoded by ImageSharp (which cannot write animations itself), following
/// the WebP container spec: VP8X with the animation flag, ANIM, then one ANMF per frame.
/// </summary>
internal sealed class AnimatedWebpBuilder(int canvasWidth, int canvasHeight, ushort loopCount = 0)
{
    private readonly List<byte[]> _frames = [];

    /// <param name="x">Even, as the format stores offsets halved.</param>
    public AnimatedWebpBuilder Frame(Image<Rgba32> image, int x = 0, int y = 0, int durationMs = 100,
        bool blend = true, bool disposeToBackground = false, bool lossless = true)
    {
        byte[] still = TestImages.Webp(image, lossless);
        using var anmf = new MemoryStream();
        Span<byte> header = stackalloc byte[16];
        WriteUInt24(header, x / 2);
        WriteUInt24(header[3..], y / 2);
        WriteUInt24(header[6..], image.Width - 1);
        WriteUInt24(header[9..], image.Height - 1);
        WriteUInt24(header[12..], durationMs);
        header[15] = (byte)((blend ? 0 : 0x02) | (disposeToBackground ? 0x01 : 0));
        anmf.Write(header);
        anmf.Write(FrameData(still));
        _frames.Add(Chunk("ANMF", anmf.ToArray()));
        return this;
    }

    public byte[] Build()
    {
        using var body = new MemoryStream();
        body.Write("WEBP"u8);
        var vp8x = new byte[10];
        vp8x[0] = 0x02 | 0x10; // animation, alpha
        WriteUInt24(vp8x.AsSpan(4), canvasWidth - 1);
        WriteUInt24(vp8x.AsSpan(7), canvasHeight - 1);
        body.Write(Chunk("VP8X", vp8x));
        var anim = new byte[6];
        BinaryPrimitives.WriteUInt16LittleEndian(anim.AsSpan(4), loopCount);
        body.Write(Chunk("ANIM", anim));
        foreach (var frame in _frames)
            body.Write(frame);
        using var file = new MemoryStream();
        file.Write("RIFF"u8);
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)body.Length);
        file.Write(size);
        body.Position = 0;
        body.CopyTo(file);
        return file.ToArray();
    }

    /// <summary>A still WebP's image chunks: the VP8L or VP8 chunk, with ALPH when a VP8X header precedes them.</summary>
    private static byte[] FrameData(byte[] still)
    {
        var chunks = still.AsSpan(12);
        uint firstSize = BinaryPrimitives.ReadUInt32LittleEndian(chunks[4..]);
        if (chunks[..4].SequenceEqual("VP8X"u8))
            return chunks[(8 + (int)firstSize)..].ToArray();
        return chunks.ToArray();
    }

    private static byte[] Chunk(string fourCc, byte[] payload)
    {
        var chunk = new byte[8 + payload.Length + (payload.Length & 1)];
        System.Text.Encoding.ASCII.GetBytes(fourCc, chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(chunk, 8);
        return chunk;
    }

    private static void WriteUInt24(Span<byte> b, int value)
    {
        b[0] = (byte)value;
        b[1] = (byte)(value >> 8);
        b[2] = (byte)(value >> 16);
    }
}
