using System.Text.Json;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts;

/// <summary>
/// Reads which user a login or UIA password stage names: <c>identifier</c> of type <c>m.id.user</c>, or the legacy
/// top-level <c>user</c>; or which third-party ID it names (<c>m.id.thirdparty</c>, or the legacy <c>medium</c> and <c>address</c>).
/// </summary>
public static class UserIdentifiers
{
    /// <summary>
    /// The user named by the request, qualified with our server name when only a localpart is given; null when the
    /// name is no valid user ID, which no account can have.
    /// </summary>
    public static UserId? Resolve(JsonElement body, string serverName)
    {
        string? user = null;
        if (body.TryGetProperty("identifier", out var identifier) && identifier.ValueKind == JsonValueKind.Object)
        {
            var type = identifier.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (type != "m.id.user")
                throw new MatrixException(400, ErrorCodes.Unknown, $"Identifier type '{type}' is not supported here; use m.id.user");
            if (identifier.TryGetProperty("user", out var u) && u.ValueKind == JsonValueKind.String)
                user = u.GetString();
        }
        else if (body.TryGetProperty("user", out var legacy) && legacy.ValueKind == JsonValueKind.String)
            user = legacy.GetString();
        if (string.IsNullOrEmpty(user))
            throw MatrixException.MissingParam("No user identifier given (identifier.user)");
        return UserId.TryParse(Qualify(user, serverName), out var id) ? id : null;
    }

    /// <summary>The third-party ID the request names instead of a user, or null when it names none.</summary>
    public static (string Medium, string Address)? ThirdParty(JsonElement body)
    {
        var source = body;
        if (body.TryGetProperty("identifier", out var identifier) && identifier.ValueKind == JsonValueKind.Object)
        {
            if (!(identifier.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "m.id.thirdparty"))
                return null;
            source = identifier;
        }
        else if (!body.TryGetProperty("medium", out _))
            return null;
        var medium = source.TryGetProperty("medium", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        var address = source.TryGetProperty("address", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        if (string.IsNullOrEmpty(medium) || string.IsNullOrEmpty(address))
            throw MatrixException.MissingParam("A third-party identifier needs a medium and an address");
        return (medium, address);
    }

    /// <summary>Localparts are case-insensitive at login, as users type them: stored IDs are lower-case.</summary>
    private static string Qualify(string user, string serverName) =>
        user.StartsWith('@') ? user : $"@{user.ToLowerInvariant()}:{serverName}";
}
