using System.Text.RegularExpressions;
using Homeserver.Core.Keys;
using NSec.Cryptography;
using Xunit;

namespace Homeserver.UnitTests.Keys;

public sealed class SigningKeyTests : IDisposable
{
    // The spec's "Cryptographic Test Vectors" seed; note its last character carries non-zero spare bits.
    private const string SpecSeed = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "signing-key-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Parse_SpecSeed_HasKeyIdAndVersion()
    {
        using SigningKey key = SigningKey.Parse($"ed25519 1 {SpecSeed}");

        Assert.Equal("ed25519:1", key.KeyId);
        Assert.Equal("1", key.Version);
    }

    [Fact]
    public void Parse_SpecSeed_PublicKeyMatchesIndependentDerivation()
    {
        byte[] seed = Convert.FromBase64String(SpecSeed + "=");
        using Key reference = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        using SigningKey key = SigningKey.Parse($"ed25519 1 {SpecSeed}");

        byte[] expected = reference.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        Assert.Equal(expected, key.PublicKey.ToArray());
        Assert.Equal(Convert.ToBase64String(expected).TrimEnd('='), key.PublicKeyBase64);
    }

    [Fact]
    public void ToFileFormat_SpecSeed_WritesCanonicalBase64Line()
    {
        using SigningKey key = SigningKey.Parse($"ed25519 1 {SpecSeed}\n");

        // Re-encoding clears the spare bits, so the final character changes from '1' to '0'.
        Assert.Equal("ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0\n", key.ToFileFormat());
    }

    [Fact]
    public void Generate_NewKey_HasSynapseStyleKeyId()
    {
        using SigningKey key = SigningKey.Generate();

        Assert.Matches(new Regex("^ed25519:a_[A-Za-z0-9]{4}$"), key.KeyId);
        Assert.Equal(key.KeyId, "ed25519:" + key.Version);
    }

    [Fact]
    public void Generate_NewKey_HasUnpaddedThirtyTwoBytePublicKey()
    {
        using SigningKey key = SigningKey.Generate();

        Assert.Equal(32, key.PublicKey.Length);
        Assert.Equal(43, key.PublicKeyBase64.Length);
        Assert.DoesNotContain('=', key.PublicKeyBase64);
    }

    [Fact]
    public void Generate_TwoKeys_AreDifferent()
    {
        using SigningKey first = SigningKey.Generate();
        using SigningKey second = SigningKey.Generate();

        Assert.NotEqual(first.PublicKeyBase64, second.PublicKeyBase64);
    }

    [Fact]
    public void Generate_ManyKeys_VersionsUseWholeAlphabet()
    {
        var seen = new HashSet<char>();
        for (int i = 0; i < 200; i++)
        {
            using SigningKey key = SigningKey.Generate();
            seen.UnionWith(key.Version[2..]);
        }

        Assert.Contains(seen, char.IsAsciiLetterLower);
        Assert.Contains(seen, char.IsAsciiLetterUpper);
        Assert.Contains(seen, char.IsAsciiDigit);
    }

    [Fact]
    public void ToFileFormat_GeneratedKey_RoundTripsThroughParse()
    {
        using SigningKey original = SigningKey.Generate();

        string file = original.ToFileFormat();
        using SigningKey parsed = SigningKey.Parse(file);

        Assert.Matches(new Regex("^ed25519 a_[A-Za-z0-9]{4} [A-Za-z0-9+/]{43}\n$"), file);
        Assert.Equal(original.KeyId, parsed.KeyId);
        Assert.Equal(original.PublicKeyBase64, parsed.PublicKeyBase64);
        Assert.Equal(original.Sign("payload"u8), parsed.Sign("payload"u8));
        Assert.Equal(file, parsed.ToFileFormat());
    }

    [Theory]
    [InlineData("ed25519 a_AbC1 {0}")]
    [InlineData("ed25519 a_AbC1 {0}\n")]
    [InlineData("ed25519 a_AbC1 {0}\r\n")]
    [InlineData("\n\ned25519 a_AbC1 {0}\n\n")]
    [InlineData("  ed25519\ta_AbC1   {0}  ")]
    [InlineData("\uFEFFed25519 a_AbC1 {0}\n")]
    [InlineData("ed25519 a_AbC1 {0}=")]
    public void Parse_WhitespaceAndPaddingVariants_Accepted(string template)
    {
        using SigningKey key = SigningKey.Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, SpecSeed));

        Assert.Equal("ed25519:a_AbC1", key.KeyId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n  ")]
    [InlineData("ed25519")]
    [InlineData("ed25519 a_abcd")]
    [InlineData("ed25519 a_abcd {0} extra")]
    [InlineData("ed25519 a_abcd {0}\ned25519 a_efgh {0}")]
    [InlineData("curve25519 a_abcd {0}")]
    [InlineData("ED25519 a_abcd {0}")]
    [InlineData("ed25519 a_ab!d {0}")]
    [InlineData("ed25519 a:bcd {0}")]
    [InlineData("ed25519 a_abcd not*base64")]
    [InlineData("ed25519 a_abcd AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("ed25519 a_abcd {0}AAAA")]
    [InlineData("ed25519 a_abcd YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW-3XA1")]
    public void Parse_MalformedContents_ThrowsFormatException(string template)
    {
        string contents = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, SpecSeed);

        var ex = Assert.Throws<FormatException>(() => SigningKey.Parse(contents));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Fact]
    public void Parse_MalformedContents_MessageDoesNotLeakSeed()
    {
        var ex = Assert.Throws<FormatException>(() => SigningKey.Parse($"ed25519 a_ab!d {SpecSeed}"));

        Assert.DoesNotContain(SpecSeed, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSeed_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => SigningKey.FromSeed("1", new byte[31]));
        Assert.Throws<ArgumentException>(() => SigningKey.FromSeed("1", new byte[64]));
        Assert.Throws<ArgumentException>(() => SigningKey.FromSeed("bad version", new byte[32]));
    }

    [Fact]
    public void Sign_AnyData_ProducesVerifiableDeterministicSignature()
    {
        using SigningKey key = SigningKey.Generate();

        byte[] signature = key.Sign("hello"u8);

        Assert.Equal(64, signature.Length);
        Assert.Equal(signature, key.Sign("hello"u8));
        var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, key.PublicKey, KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(publicKey, "hello"u8, signature));
        Assert.False(SignatureAlgorithm.Ed25519.Verify(publicKey, "hellp"u8, signature));
    }

    [Fact]
    public void Sign_AfterDispose_ThrowsObjectDisposed()
    {
        SigningKey key = SigningKey.Generate();
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.Sign("x"u8));
        Assert.Throws<ObjectDisposedException>(() => key.ToFileFormat());
        key.Dispose();
    }

    [Fact]
    public async Task LoadOrCreateAsync_MissingFile_CreatesDirectoryAndFile()
    {
        string path = Path.Combine(_directory, "nested", "deeper", "signing.key");

        using SigningKey key = await SigningKey.LoadOrCreateAsync(path, CancellationToken.None);

        Assert.True(File.Exists(path));
        Assert.Equal(key.ToFileFormat(), await File.ReadAllTextAsync(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task LoadOrCreateAsync_MissingFile_IsOwnerReadWriteOnlyOnUnix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = Path.Combine(_directory, "signing.key");
        using SigningKey key = await SigningKey.LoadOrCreateAsync(path, CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task LoadOrCreateAsync_SecondCall_LoadsSameKey()
    {
        string path = Path.Combine(_directory, "signing.key");

        using SigningKey first = await SigningKey.LoadOrCreateAsync(path, CancellationToken.None);
        using SigningKey second = await SigningKey.LoadOrCreateAsync(path, CancellationToken.None);

        Assert.Equal(first.KeyId, second.KeyId);
        Assert.Equal(first.PublicKeyBase64, second.PublicKeyBase64);
    }

    [Fact]
    public async Task LoadOrCreateAsync_ExistingSynapseFile_LoadsIt()
    {
        Directory.CreateDirectory(_directory);
        string path = Path.Combine(_directory, "homeserver.signing.key");
        await File.WriteAllTextAsync(path, $"ed25519 a_Zx9q {SpecSeed}\n");

        using SigningKey key = await SigningKey.LoadOrCreateAsync(path, CancellationToken.None);

        Assert.Equal("ed25519:a_Zx9q", key.KeyId);
        Assert.Equal($"ed25519 a_Zx9q {SpecSeed}\n", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task LoadOrCreateAsync_MalformedFile_ThrowsNamingPathAndKeepsFile()
    {
        Directory.CreateDirectory(_directory);
        string path = Path.Combine(_directory, "signing.key");
        await File.WriteAllTextAsync(path, "garbage");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => SigningKey.LoadOrCreateAsync(path, CancellationToken.None));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal("garbage", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task LoadOrCreateAsync_Cancelled_LeavesNoFiles()
    {
        string path = Path.Combine(_directory, "signing.key");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SigningKey.LoadOrCreateAsync(path, cts.Token));

        Assert.False(File.Exists(path));
        Assert.Empty(Directory.Exists(_directory) ? Directory.GetFiles(_directory) : []);
    }

    [Fact]
    public async Task LoadOrCreateAsync_ConcurrentCallers_AllGetTheSameKey()
    {
        string path = Path.Combine(_directory, "signing.key");

        SigningKey[] keys = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(_ => Task.Run(() => SigningKey.LoadOrCreateAsync(path, CancellationToken.None))));

        try
        {
            Assert.Single(keys.Select(k => k.PublicKeyBase64).Distinct());
            Assert.Single(Directory.GetFiles(_directory));
            using SigningKey onDisk = SigningKey.Parse(await File.ReadAllTextAsync(path));
            Assert.Equal(keys[0].PublicKeyBase64, onDisk.PublicKeyBase64);
        }
        finally
        {
            foreach (SigningKey key in keys)
            {
                key.Dispose();
            }
        }
    }
}
