using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Identifiers;

/// <summary>
/// A Matrix user ID <c>@localpart:server</c>. It keeps its text, so handing it to a store or a JSON body
/// (<see cref="ToString"/>) costs nothing, and compares by it.
/// </summary>
[JsonConverter(typeof(IdentifierJsonConverter<UserId>))]
public readonly record struct UserId : IIdentifier<UserId>
{
    /// <summary>The spec caps the whole ID, sigil and domain included, at 255 bytes of UTF-8.</summary>
    public const int MaxLength = IdentifierText.MaxBytes;

    private readonly string _text;

    public UserId(string localpart, string serverName)
        : this(localpart, serverName, $"@{localpart}:{serverName}")
    {
    }

    private UserId(string localpart, string serverName, string text)
    {
        Localpart = localpart;
        ServerName = serverName;
        _text = text;
    }

    public string Localpart { get; }

    public string ServerName { get; }

    public override string ToString() => _text ?? "";

    public bool Equals(UserId other) => string.Equals(_text, other._text, StringComparison.Ordinal);

    public override int GetHashCode() => _text?.GetHashCode(StringComparison.Ordinal) ?? 0;

    public static bool TryParse(string? value, [NotNullWhen(true)] out UserId? id)
    {
        id = null;
        if (value is null || value.Length < 4 || value[0] != '@' || IdentifierText.Utf8Length(value) > MaxLength)
            return false;
        var colon = value.IndexOf(':');
        if (colon < 2 || colon == value.Length - 1)
            return false;
        var server = value[(colon + 1)..];
        if (!ServerNames.IsValid(server))
            return false;
        id = new UserId(value[1..colon], server, value);
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
