using System.Security.Cryptography;
using Homeserver.Core.Configuration;

namespace Homeserver.Core.Accounts;

/// <summary>Checks a registration token against the configured ones without leaking by timing which prefix matched.</summary>
public static class RegistrationTokens
{
    public static bool IsValid(RegistrationOptions options, string token)
    {
        var given = System.Text.Encoding.UTF8.GetBytes(token);
        var ok = false;
        foreach (var configured in options.Tokens)
            ok |= CryptographicOperations.FixedTimeEquals(given, System.Text.Encoding.UTF8.GetBytes(configured));
        return ok;
    }
}
