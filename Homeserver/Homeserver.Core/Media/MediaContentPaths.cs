namespace Homeserver.Core.Media;

/// <summary>
/// Where content lives inside a store, <c>ab/cd/&lt;sha256&gt;</c>, the same in every store so that their trees can be
/// compared or copied with ordinary tools. Only hex hashes computed by the server ever become paths or keys.
/// </summary>
public static class MediaContentPaths
{
    public static string Relative(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException("not a lower-case SHA-256 hex digest", nameof(sha256));
        return $"{sha256[..2]}/{sha256[2..4]}/{sha256}";
    }
}
