namespace MediaRepo.Thumbnails;

/// <summary>The image formats the thumbnailer decodes, as sniffed from the bytes.</summary>
internal enum SourceFormat
{
    Png,
    Jpeg,
    Gif,
    Webp,
}
