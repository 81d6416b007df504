using System.Security.Cryptography;

namespace Homeserver.Core.Accounts;

/// <summary>Random identifiers and secrets from the CSPRNG; 128 bits or more wherever a value grants access.</summary>
public static class SecureTokens
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string AlphanumericChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A URL-safe secret of <paramref name="bytes"/> random bytes.</summary>
    public static string Secret(int bytes = 32) => Encodings.UnpaddedBase64.EncodeUrlSafe(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>Device IDs are typed by users in some clients, so they stay short and upper-case like Synapse's.</summary>
    public static string DeviceId() => RandomNumberGenerator.GetString(Upper, 10);

    public static string Alphanumeric(int length) => RandomNumberGenerator.GetString(AlphanumericChars, length);

    public static string Sha256Hex(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)));
}
