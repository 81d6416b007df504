using System.Security.Cryptography;

namespace Homeserver.Core.Accounts.Tokens;

/// <summary>
/// The HMAC key that signs access-token JWTs. It lives in its own file, apart from the federation signing
/// key, so rotating it logs every client out without touching the server's federation identity.
/// </summary>
public sealed class TokenSigningKey(byte[] key)
{
    public byte[] Key { get; } = key;

    public static async Task<TokenSigningKey> LoadOrCreateAsync(string path, CancellationToken ct)
    {
        if (File.Exists(path))
        {
            var text = (await File.ReadAllTextAsync(path, ct)).Trim();
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(text);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"access token key in '{path}' is not Base64 ({e.Message}); restore it, or delete it to create a new one (which logs every client out)", e);
            }
            if (bytes.Length < 32)
                throw new InvalidDataException($"access token key in '{path}' is shorter than 256 bits");
            return new TokenSigningKey(bytes);
        }
        var key = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, Convert.ToBase64String(key) + "\n", ct);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new TokenSigningKey(key);
    }
}
