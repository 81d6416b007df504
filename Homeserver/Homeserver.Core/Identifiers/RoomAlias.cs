using System.Diagnostics.CodeAnalysis;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Identifiers;

/// <summary>
/// A room alias <c>#localpart:server</c> (spec appendices, "Room Aliases"): the localpart is any
/// non-surrogate code point except <c>:</c> and NUL, and the whole alias is at most 255 bytes.
/// </summary>
public readonly record struct RoomAlias(string Localpart, string ServerName)
{
    public const char Sigil = '#';

    public static bool TryParse(string? value, [NotNullWhen(true)] out RoomAlias? alias)
    {
        alias = null;
        if (value is null || value.Length < 4 || value[0] != Sigil || IdentifierText.Utf8Length(value) > IdentifierText.MaxBytes)
        {
            return false;
        }

        if (!IdentifierText.TrySplitServer(value.AsSpan(1), out string localpart, out string serverName))
        {
            return false;
        }

        alias = new RoomAlias(localpart, serverName);
        return true;
    }

    /// <exception cref="MatrixException">400 <c>M_INVALID_PARAM</c>: not a room alias.</exception>
    public static RoomAlias Parse(string? value) =>
        TryParse(value, out RoomAlias? alias) ? alias.Value : throw MatrixException.InvalidParam($"'{value}' is not a valid room alias");

    public override string ToString() => $"{Sigil}{Localpart}:{ServerName}";
}
