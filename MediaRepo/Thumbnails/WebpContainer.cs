using System.Buffers.Binary;

namespace MediaRepo.Thumbnails;

/// <summary>
/// The RIFF structure of a WebP file. ImageSharp 2.1 refuses animated WebP outright (even Identify throws), so
/// animations are recognised and taken apart here and their frames handed to ImageSharp one by one.
/// </summary>
internal sealed class WebpContainer
{
    private const byte AnimationFlag = 0x02;

    /// <summary>Canvas size from the VP8X chunk; 0 for simple (VP8/VP8L-only) files, whose size ImageSharp reads.</summary>
    public int CanvasWidth { get; private init; }
    public int CanvasHeight { get; private init; }
    public bool IsAnimated { get; private init; }
    /// <summary>0 means loop forever, as in GIF.</summary>
    public ushort LoopCount { get; private set; }
    /// <summary>All ANMF chunks in the file (counted even past <see cref="Frames"/>' cap).</summary>
    public int FrameCount { get; private set; }
    public IReadOnlyList<WebpFrame> Frames => _frames;

    private readonly List<WebpFrame> _frames = [];

    /// <param name="maxFrames">Frames beyond this are counted but not recorded.</param>
    public static WebpContainer Read(Stream source, int maxFrames, CancellationToken ct)
    {
        source.Position = 0;
        Span<byte> header = stackalloc byte[12];
        if (source.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length
            || !header[..4].SequenceEqual("RIFF"u8) || !header[8..].SequenceEqual("WEBP"u8))
            throw Invalid("not a RIFF WebP file");
        long end = Math.Min(source.Length, 8 + (long)BinaryPrimitives.ReadUInt32LittleEndian(header[4..]));

        if (!TryReadChunkHeader(source, end, out var fourCc, out long size) || fourCc != "VP8X")
            return new WebpContainer(); // simple format: a single VP8 or VP8L image

        Span<byte> vp8x = stackalloc byte[10];
        if (size < vp8x.Length || source.ReadAtLeast(vp8x, vp8x.Length, throwOnEndOfStream: false) < vp8x.Length)
            throw Invalid("truncated VP8X chunk");
        var container = new WebpContainer
        {
            IsAnimated = (vp8x[0] & AnimationFlag) != 0,
            CanvasWidth = ReadUInt24(vp8x[4..]) + 1,
            CanvasHeight = ReadUInt24(vp8x[7..]) + 1,
        };
        source.Position += Padded(size) - vp8x.Length;

        if (container.IsAnimated)
            container.ReadAnimationChunks(source, end, maxFrames, ct);
        return container;
    }

    private void ReadAnimationChunks(Stream source, long end, int maxFrames, CancellationToken ct)
    {
        Span<byte> fields = stackalloc byte[16];
        while (TryReadChunkHeader(source, end, out var fourCc, out long size))
        {
            ct.ThrowIfCancellationRequested();
            long next = source.Position + Padded(size);
            if (fourCc == "ANIM" && size >= 6)
            {
                ReadExactly(source, fields[..6]);
                LoopCount = BinaryPrimitives.ReadUInt16LittleEndian(fields[4..]);
            }
            else if (fourCc == "ANMF")
            {
                if (size <= fields.Length)
                    throw Invalid("ANMF chunk without frame data");
                FrameCount++;
                if (_frames.Count < maxFrames)
                {
                    ReadExactly(source, fields);
                    byte flags = fields[15];
                    _frames.Add(new WebpFrame(
                        X: ReadUInt24(fields) * 2,
                        Y: ReadUInt24(fields[3..]) * 2,
                        Width: ReadUInt24(fields[6..]) + 1,
                        Height: ReadUInt24(fields[9..]) + 1,
                        DurationMs: ReadUInt24(fields[12..]),
                        AlphaBlend: (flags & 0x02) == 0,
                        DisposeToBackground: (flags & 0x01) != 0,
                        DataOffset: source.Position,
                        DataLength: (int)(size - fields.Length)));
                }
            }
            source.Position = next;
        }
        if (FrameCount == 0)
            throw Invalid("animated WebP without frames");
    }

    private static bool TryReadChunkHeader(Stream source, long end, out string fourCc, out long size)
    {
        Span<byte> chunk = stackalloc byte[8];
        fourCc = "";
        size = 0;
        if (source.Position + chunk.Length > end)
            return false;
        ReadExactly(source, chunk);
        fourCc = System.Text.Encoding.ASCII.GetString(chunk[..4]);
        size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
        if (size > end - source.Position)
            throw Invalid($"{fourCc} chunk runs past the end of the file");
        return true;
    }

    private static void ReadExactly(Stream source, Span<byte> buffer)
    {
        if (source.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
            throw Invalid("truncated chunk");
    }

    private static long Padded(long size) => size + (size & 1);

    private static int ReadUInt24(ReadOnlySpan<byte> b) => b[0] | b[1] << 8 | b[2] << 16;

    private static ThumbnailException Invalid(string why) => new(ThumbnailErrorKind.Invalid, $"Malformed WebP: {why}.");
}
