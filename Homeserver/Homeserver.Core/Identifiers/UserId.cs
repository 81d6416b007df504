using System.Diagnostics.CodeAnalysis;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Identifiers;

/// <summary>A Matrix user ID <c>@localpart:server</c>.</summary>
public readonly record struct UserId(string Localpart, string ServerName)
{
    /// <summary>The spec caps the whole ID, sigil and domain included, at 255 bytes of UTF-8.</summary>
    public const int MaxLength = IdentifierText.MaxBytes;

    public override string ToString() => $"@{Localpart}:{ServerName}";

    public static bool TryParse(string? value, [NotNullWhen(true)] out UserId? userId)
    {
        userId = null;
        if (value is null || value.Length < 4 || value[0] != '@' || IdentifierText.Utf8Length(value) > MaxLength)
            return false;
        var colon = value.IndexOf(':');
        if (colon < 2 || colon == value.Length - 1)
            return false;
        var server = value[(colon + 1)..];
        if (!ServerNames.IsValid(server))
            return false;
        userId = new UserId(value[1..colon], server);
        return true;
    }

    public static UserId Parse(string? value) =>
        TryParse(value, out var id) ? id.Value : throw MatrixException.InvalidParam($"'{value}' is not a valid user ID");

    /// <summary>
    /// The localpart grammar for new registrations: lower-case letters, digits and <c>._=-/+</c>.
    /// Historical IDs from other servers may be wider, so this is only checked for our own users.
    /// </summary>
    public static bool IsValidNewLocalpart(string localpart) =>
        localpart.Length > 0 && localpart.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '_' or '=' or '-' or '/' or '+');
}
