using System.Buffers.Text;
using System.Security.Cryptography;

namespace Homeserver.Core.Keys;

/// <summary>
/// The server's VAPID key (RFC 8292): a P-256 key pair whose signature on each Web Push request lets a push
/// service accept only this server for the subscriptions clients created with its public key. Stored as a
/// PKCS#8 PEM file, created on first start.
/// </summary>
public sealed class VapidKey
{
    private VapidKey(ECParameters parameters)
    {
        // Uncompressed SEC1 point (0x04 || X || Y), the form the Push API's applicationServerKey takes.
        var point = new byte[65];
        point[0] = 0x04;
        parameters.Q.X!.CopyTo(point, 1);
        parameters.Q.Y!.CopyTo(point, 33);
        PublicKey = Base64Url.EncodeToString(point);
        PrivateKey = Base64Url.EncodeToString(parameters.D!);
    }

    /// <summary>The public key, uncompressed, URL-safe Base64 without padding: what MSC4174 advertises in <c>m.webpush</c>.</summary>
    public string PublicKey { get; }

    /// <summary>The private scalar, URL-safe Base64 without padding, as the Web Push client takes it.</summary>
    public string PrivateKey { get; }

    public static async Task<VapidKey> LoadOrCreateAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            // Written aside and moved into place so a crash never leaves a truncated key, and a concurrent creator's key wins.
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            try
            {
                await File.WriteAllTextAsync(temporary, created.ExportPkcs8PrivateKeyPem() + "\n", ct);
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
            }
            finally
            {
                File.Delete(temporary);
            }
        }
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(await File.ReadAllTextAsync(path, ct));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new InvalidDataException($"VAPID key file '{path}' is not a PEM private key: {e.Message}", e);
        }
        var parameters = key.ExportParameters(includePrivateParameters: true);
        if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            throw new InvalidDataException($"VAPID key in '{path}' is not a P-256 key");
        return new VapidKey(parameters);
    }
}
