using System.Text;

namespace Homeserver.Core.Identifiers;

/// <summary>Character and length rules shared by the sigil identifiers (spec appendices, "Identifier Grammar").</summary>
internal static class IdentifierText
{
    /// <summary>Room IDs, room aliases, event IDs and user IDs are each capped at 255 bytes, sigil and domain included.</summary>
    public const int MaxBytes = 255;

    /// <summary>
    /// The UTF-8 length the spec's byte limits are measured in. Strings holding lone surrogates have
    /// no UTF-8 form; they are reported as longer than any limit so that callers reject them.
    /// </summary>
    public static int Utf8Length(string value) =>
        IsValidUnicode(value) ? Encoding.UTF8.GetByteCount(value) : int.MaxValue;

    /// <summary>
    /// The localpart rule for room IDs and aliases: any non-surrogate code point except <c>:</c> and NUL
    /// ("Room IDs", "Room Aliases"). Empty localparts are refused as well: no server mints them.
    /// </summary>
    public static bool IsValidLocalpart(ReadOnlySpan<char> value) =>
        !value.IsEmpty && !value.ContainsAny(':', '\0') && IsValidUnicode(value);

    /// <summary>
    /// Base64 of either alphabet, which is all a domain-less event or room ID may contain
    /// (standard in room version 3, URL-safe from version 4).
    /// </summary>
    public static bool IsBase64Text(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '/' or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits <c>localpart:server</c> at the first colon; the localpart grammar has no colons.</summary>
    public static bool TrySplitServer(ReadOnlySpan<char> value, out string localpart, out string serverName)
    {
        int colon = value.IndexOf(':');
        localpart = colon < 0 ? string.Empty : value[..colon].ToString();
        serverName = colon < 0 ? string.Empty : value[(colon + 1)..].ToString();
        return colon >= 0 && IsValidLocalpart(localpart) && ServerNames.IsValid(serverName);
    }

    private static bool IsValidUnicode(ReadOnlySpan<char> value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The grammar event IDs and room IDs share: the sigil, then either hash text (no server part, room versions 3+
    /// and v12 room IDs) or <c>opaque:server</c>, at most 255 bytes in all.
    /// </summary>
    public static bool TryParseHashOrServer(string? value, char sigil, out string opaque, out string? serverName)
    {
        opaque = "";
        serverName = null;
        if (value is null || value.Length < 2 || value[0] != sigil || Utf8Length(value) > MaxBytes)
            return false;
        ReadOnlySpan<char> body = value.AsSpan(1);
        if (!body.Contains(':'))
        {
            if (!IsBase64Text(body))
                return false;
            opaque = body.ToString();
            return true;
        }
        if (!TrySplitServer(body, out opaque, out string server))
            return false;
        serverName = server;
        return true;
    }
}
