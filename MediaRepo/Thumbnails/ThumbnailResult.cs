namespace MediaRepo.Thumbnails;

/// <summary>An encoded thumbnail. Thumbnails are small, so the bytes are held in memory.</summary>
public sealed record ThumbnailResult(byte[] Content, string ContentType, int Width, int Height);
