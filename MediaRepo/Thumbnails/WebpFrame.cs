namespace MediaRepo.Thumbnails;

/// <summary>One ANMF chunk of an animated WebP: where the frame goes on the canvas and where its bitstream is.</summary>
internal readonly record struct WebpFrame(
    int X,
    int Y,
    int Width,
    int Height,
    int DurationMs,
    bool AlphaBlend,
    bool DisposeToBackground,
    long DataOffset,
    int DataLength);
