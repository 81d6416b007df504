using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;

// Not "Homeserver.Core.Encoding": that namespace would hide System.Text.Encoding from all Homeserver.Core code.
namespace Homeserver.Core.Encodings;

/// <summary>
/// Matrix "unpadded Base64" (spec appendices): RFC 4648 Base64 without '=' padding,
/// plus the URL-safe alphabet ('-' and '_') used by event IDs from room version 4.
/// </summary>
/// <remarks>
/// Decoding is hand-written because the framework decoders silently skip whitespace, and a
/// signature or key that only decodes after whitespace stripping is not valid Base64 here.
/// Padding is optional on input (the spec asks for that); non-zero trailing bits are tolerated
/// because other implementations produce them (the spec's own test seed ends in one).
/// </remarks>
public static class UnpaddedBase64
{
    private const string StandardAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private const string UrlSafeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static readonly sbyte[] StandardLookup = BuildLookup(StandardAlphabet);
    private static readonly sbyte[] UrlSafeLookup = BuildLookup(UrlSafeAlphabet);

    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=');

    public static string EncodeUrlSafe(ReadOnlySpan<byte> data) => Base64Url.EncodeToString(data);

    /// <exception cref="FormatException">The input is not standard Base64.</exception>
    public static byte[] Decode(string encoded) =>
        TryDecode(encoded, out byte[]? data) ? data : throw new FormatException("The input is not valid unpadded Base64.");

    /// <exception cref="FormatException">The input is not URL-safe Base64.</exception>
    public static byte[] DecodeUrlSafe(string encoded) =>
        TryDecodeUrlSafe(encoded, out byte[]? data) ? data : throw new FormatException("The input is not valid URL-safe unpadded Base64.");

    public static bool TryDecode(string? encoded, [NotNullWhen(true)] out byte[]? data) =>
        TryDecode(encoded, StandardLookup, out data);

    public static bool TryDecodeUrlSafe(string? encoded, [NotNullWhen(true)] out byte[]? data) =>
        TryDecode(encoded, UrlSafeLookup, out data);

    private static bool TryDecode(string? encoded, sbyte[] lookup, [NotNullWhen(true)] out byte[]? data)
    {
        data = null;
        if (encoded is null)
        {
            return false;
        }

        ReadOnlySpan<char> chars = encoded;
        int padding = 0;
        while (padding < 2 && chars.Length > 0 && chars[^1] == '=')
        {
            chars = chars[..^1];
            padding++;
        }

        // Padding is all-or-nothing: when present it must complete the final quantum exactly.
        if (padding > 0 && (chars.Length + padding) % 4 != 0)
        {
            return false;
        }

        // A single leftover character carries only 6 bits, less than one byte.
        if (chars.Length % 4 == 1)
        {
            return false;
        }

        byte[] result = new byte[chars.Length * 3 / 4];
        int accumulator = 0;
        int bits = 0;
        int written = 0;
        foreach (char c in chars)
        {
            int value = c < 128 ? lookup[c] : -1;
            if (value < 0)
            {
                return false;
            }

            accumulator = (accumulator << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                result[written++] = (byte)(accumulator >> bits);
                accumulator &= (1 << bits) - 1;
            }
        }

        data = result;
        return true;
    }

    private static sbyte[] BuildLookup(string alphabet)
    {
        sbyte[] lookup = new sbyte[128];
        Array.Fill(lookup, (sbyte)-1);
        for (int i = 0; i < alphabet.Length; i++)
        {
            lookup[alphabet[i]] = (sbyte)i;
        }

        return lookup;
    }
}
