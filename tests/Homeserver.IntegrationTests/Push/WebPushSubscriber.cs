using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Homeserver.IntegrationTests.Push;

/// <summary>
/// The user agent's side of Web Push, written from the RFCs so it checks the server independently: a P-256 key pair
/// and auth secret (RFC 8291 §3), decryption of an aes128gcm message (RFC 8188, RFC 8291 §3.4), and verification
/// of the VAPID header (RFC 8292) against the public key the server advertises.
/// </summary>
public sealed class WebPushSubscriber : IDisposable
{
    private readonly ECDiffieHellman _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    private readonly byte[] _auth = RandomNumberGenerator.GetBytes(16);

    public byte[] PublicKey => Uncompressed(_key.ExportParameters(false).Q);
    /// <summary>The pushkey MSC4174 asks for: the public key, uncompressed, URL-safe Base64 without padding.</summary>
    public string Pushkey => Base64Url.EncodeToString(PublicKey);
    public string Auth => Base64Url.EncodeToString(_auth);

    public JsonElement Decrypt(byte[] body)
    {
        // Header: salt (16) | record size (4) | key id length (1) | key id (the server's ephemeral public key).
        var salt = body[..16];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        int idLength = body[20];
        Assert.Equal(65, idLength);
        var serverPublic = body[21..(21 + idLength)];
        var record = body[(21 + idLength)..];
        Assert.True(record.Length <= recordSize, "one record expected");

        using var server = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = serverPublic[1..33], Y = serverPublic[33..] },
        });
        var shared = _key.DeriveRawSecretAgreement(server.PublicKey);
        var keyInfo = Encoding.ASCII.GetBytes("WebPush: info\0").Concat(PublicKey).Concat(serverPublic).ToArray();
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, _auth, keyInfo);
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        var cek = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, Encoding.ASCII.GetBytes("Content-Encoding: aes128gcm\0"));
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, Encoding.ASCII.GetBytes("Content-Encoding: nonce\0"));

        var plain = new byte[record.Length - 16];
        using (var gcm = new AesGcm(cek, 16))
            gcm.Decrypt(nonce, record[..^16], record[^16..], plain);
        // Padding: the last record's delimiter 0x02, then zeros.
        var end = plain.Length - 1;
        while (plain[end] == 0)
            end--;
        Assert.Equal(2, plain[end]);
        return JsonDocument.Parse(plain.AsMemory(0, end)).RootElement.Clone();
    }

    /// <summary>Checks <c>Authorization: vapid t=JWT, k=KEY</c>: the key is the advertised one and signs an ES256 JWT for this audience.</summary>
    public static void VerifyVapid(string authorization, string advertisedKey, string audience)
    {
        Assert.StartsWith("vapid ", authorization);
        var parameters = authorization["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(advertisedKey, parameters["k"]);
        var parts = parameters["t"].Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
        Assert.Equal(audience, claims.GetProperty("aud").GetString());
        var exp = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64());
        Assert.True(exp > DateTimeOffset.UtcNow && exp <= DateTimeOffset.UtcNow.AddHours(24), $"exp {exp} must be within 24 hours (RFC 8292)");

        var key = Base64Url.DecodeFromChars(advertisedKey);
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = key[1..33], Y = key[33..] },
        });
        Assert.True(ecdsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256),
            "the VAPID JWT is not signed by the advertised key");
    }

    private static byte[] Uncompressed(ECPoint q) => [0x04, .. q.X!, .. q.Y!];

    public void Dispose() => _key.Dispose();
}
