using System.Security.Cryptography;
using Homeserver.Core.Configuration;
using NSec.Cryptography;

namespace Homeserver.Core.Accounts.Passwords;

/// <summary>
/// Argon2id password hashes in the PHC string format (<c>$argon2id$v=19$m=…,t=…,p=1$salt$hash</c>), so hashes
/// carry their own cost and stay verifiable after the configured cost is raised.
/// </summary>
public sealed class PasswordHasher(AuthOptions options)
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, options.Argon2MemoryKib, options.Argon2Iterations, HashBytes);
        return $"$argon2id$v=19$m={options.Argon2MemoryKib},t={options.Argon2Iterations},p=1${Convert.ToBase64String(salt).TrimEnd('=')}${Convert.ToBase64String(hash).TrimEnd('=')}";
    }

    public static bool Verify(string password, string? encoded)
    {
        if (encoded is null)
            return false;
        var parts = encoded.Split('$');
        // ["", "argon2id", "v=19", "m=..,t=..,p=1", salt, hash]
        if (parts.Length != 6 || parts[1] != "argon2id" || parts[2] != "v=19")
            return false;
        var costs = parts[3].Split(',').Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => long.Parse(kv[1]));
        var salt = Encodings.UnpaddedBase64.Decode(parts[4]);
        var expected = Encodings.UnpaddedBase64.Decode(parts[5]);
        var actual = Derive(password, salt, costs["m"], costs["t"], expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static byte[] Derive(string password, byte[] salt, long memoryKib, long passes, int length)
    {
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = memoryKib,
            NumberOfPasses = passes,
        });
        return algorithm.DeriveBytes(password, salt, length);
    }
}
