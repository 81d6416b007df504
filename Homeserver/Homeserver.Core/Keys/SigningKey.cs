using System.Security.Cryptography;
using System.Text;
using Homeserver.Core.Encodings;
using NSec.Cryptography;

namespace Homeserver.Core.Keys;

/// <summary>
/// The server's Ed25519 signing key, stored in Synapse's one-line file format
/// (<c>ed25519 a_XXXX &lt;unpadded base64 seed&gt;</c>) so keys can move between implementations.
/// </summary>
public sealed class SigningKey : IDisposable
{
    public const string Algorithm = "ed25519";

    private const int SeedLength = 32;
    private const string VersionAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;

    private readonly Key _key;
    private readonly byte[] _publicKey;
    private bool _disposed;

    private SigningKey(string version, Key key)
    {
        Version = version;
        KeyId = $"{Algorithm}:{version}";
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        PublicKeyBase64 = UnpaddedBase64.Encode(_publicKey);
    }

    /// <summary>The key version, e.g. <c>a_Xy9Q</c>.</summary>
    public string Version { get; }

    /// <summary>The signing key identifier, e.g. <c>ed25519:a_Xy9Q</c>.</summary>
    public string KeyId { get; }

    public string PublicKeyBase64 { get; }

    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>Creates a fresh key whose version is <c>a_</c> plus four random alphanumerics, as Synapse does.</summary>
    public static SigningKey Generate()
    {
        string version = "a_" + RandomNumberGenerator.GetString(VersionAlphabet, 4);
        Span<byte> seed = stackalloc byte[SeedLength];
        RandomNumberGenerator.Fill(seed);
        try
        {
            return FromSeed(version, seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <exception cref="ArgumentException">The version or seed is invalid.</exception>
    public static SigningKey FromSeed(string version, ReadOnlySpan<byte> seed)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (!IsValidVersion(version))
        {
            throw new ArgumentException($"Key version '{version}' must be non-empty and contain only [A-Za-z0-9_].", nameof(version));
        }

        if (seed.Length != SeedLength)
        {
            throw new ArgumentException($"An Ed25519 seed is {SeedLength} bytes, got {seed.Length}.", nameof(seed));
        }

        // Plaintext export is what lets ToFileFormat write the seed back out.
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        return new SigningKey(version, Key.Import(Ed25519, seed, KeyBlobFormat.RawPrivateKey, in parameters));
    }

    /// <summary>Parses Synapse's signing key file: one line, <c>ed25519 &lt;version&gt; &lt;base64 seed&gt;</c>.</summary>
    /// <exception cref="FormatException">The contents are not exactly one valid key line.</exception>
    public static SigningKey Parse(string fileContents)
    {
        ArgumentNullException.ThrowIfNull(fileContents);
        string[] lines = fileContents.TrimStart('\uFEFF')
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != 1)
        {
            throw new FormatException($"A signing key file must contain exactly one key line, found {lines.Length}.");
        }

        string[] parts = lines[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3)
        {
            throw new FormatException("A signing key line must be '<algorithm> <version> <base64 seed>'.");
        }

        if (parts[0] != Algorithm)
        {
            throw new FormatException($"Unsupported signing key algorithm '{parts[0]}'; only '{Algorithm}' is supported.");
        }

        if (!IsValidVersion(parts[1]))
        {
            throw new FormatException($"Signing key version '{parts[1]}' must contain only [A-Za-z0-9_].");
        }

        if (!UnpaddedBase64.TryDecode(parts[2], out byte[]? seed))
        {
            throw new FormatException("The signing key seed is not valid Base64.");
        }

        try
        {
            if (seed.Length != SeedLength)
            {
                throw new FormatException($"The signing key seed must decode to {SeedLength} bytes, got {seed.Length}.");
            }

            return FromSeed(parts[1], seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    // File.Move without overwrite checks that the destination is absent and then renames, which is not one step on
    // Unix: two creators racing in one process could each install their own key. They take turns instead.
    private static readonly SemaphoreSlim CreateGate = new(1, 1);

    /// <summary>Loads the key at <paramref name="path"/>, or creates one there (owner-only permissions) if missing.</summary>
    /// <exception cref="InvalidDataException">The file exists but holds no valid key; the message names it.</exception>
    public static async Task<SigningKey> LoadOrCreateAsync(string path, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            return await LoadAsync(path, ct).ConfigureAwait(false);
        }

        await CreateGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return File.Exists(path)
                ? await LoadAsync(path, ct).ConfigureAwait(false)
                : await CreateAsync(Path.GetFullPath(path), ct).ConfigureAwait(false);
        }
        finally
        {
            CreateGate.Release();
        }
    }

    private static async Task<SigningKey> CreateAsync(string fullPath, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);

        SigningKey key = Generate();
        // Written aside and moved into place so a crash never leaves a truncated key file,
        // and so another process that created the key first keeps its key instead of having it overwritten.
        string temporary = $"{fullPath}.{Guid.NewGuid():N}.tmp";
        try
        {
            await WritePrivateFileAsync(temporary, key.ToFileFormat(), ct).ConfigureAwait(false);
            File.Move(temporary, fullPath, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(fullPath))
        {
            key.Dispose();
            return await LoadAsync(fullPath, ct).ConfigureAwait(false);
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The file contents Synapse would write: one line ending in a newline.</summary>
    public string ToFileFormat()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] seed = _key.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            return $"{Algorithm} {Version} {UnpaddedBase64.Encode(seed)}\n";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Returns the 64-byte Ed25519 signature of <paramref name="data"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Ed25519.Sign(_key, data);
    }

    public void Dispose()
    {
        _disposed = true;
        _key.Dispose();
    }

    private static async Task<SigningKey> LoadAsync(string path, CancellationToken ct)
    {
        string contents = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
        try
        {
            return Parse(contents);
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"Signing key file '{path}' is malformed: {ex.Message}", ex);
        }
    }

    private static async Task WritePrivateFileAsync(string path, string contents, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var stream = new FileStream(path, options);
        await stream.WriteAsync(new UTF8Encoding(false).GetBytes(contents), ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
        stream.Flush(flushToDisk: true);
    }

    private static bool IsValidVersion(string version) =>
        version.Length > 0 && version.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
