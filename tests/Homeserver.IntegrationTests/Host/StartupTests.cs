using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Homeserver.Core.Encodings;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Host;

public sealed class StartupTests
{
    [Fact]
    public async Task FirstStart_CreatesSynapseFormatSigningKey_AndKeepsItAcrossRestarts()
    {
        var dataDir = Directory.CreateTempSubdirectory("hs-key-").FullName;
        string keyId;
        await using (var hs = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir))
        {
            var text = await File.ReadAllTextAsync(Path.Combine(dataDir, "signing.key"));
            Assert.Matches(@"^ed25519 a_[A-Za-z0-9]{4} [A-Za-z0-9+/]{43}\n$", text);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dataDir, "signing.key")));
            keyId = "ed25519:" + text.Split(' ')[1];
            var body = await (await hs.Client.GetAsync("/_matrix/key/v2/server")).AssertOkAsync();
            var keyJson = JsonNode.Parse(body.GetRawText())!.AsObject();
            var publicKey = keyJson["verify_keys"]![keyId]!["key"]!.GetValue<string>();
            Assert.True(JsonSigning.VerifyJson(keyJson, TestHomeserver.ServerName, keyId, UnpaddedBase64.Decode(publicKey)));
        }
        await using (var again = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir))
        {
            var body = await (await again.Client.GetAsync("/_matrix/key/v2/server")).AssertOkAsync();
            Assert.True(body.GetProperty("verify_keys").TryGetProperty(keyId, out _));
        }
    }

    [Fact]
    public async Task Restart_KeepsAccountsAndTokens()
    {
        var dataDir = Directory.CreateTempSubdirectory("hs-restart-").FullName;
        TestUser user;
        await using (var hs = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir))
            user = await hs.RegisterAsync();
        await using var again = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir);
        using var c = again.ClientFor(user);
        Assert.Equal(user.UserId, (await (await c.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync()).GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task TlsListener_ServesHttpsFromPemFiles()
    {
        var dir = Directory.CreateTempSubdirectory("hs-tls-").FullName;
        using var rsa = RSA.Create(2048);
        var req = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(dir, "cert.pem");
        var keyPath = Path.Combine(dir, "key.pem");
        await File.WriteAllTextAsync(certPath, cert.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, rsa.ExportPkcs8PrivateKeyPem());

        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.Listeners[0].Tls = new() { CertificatePath = certPath, KeyPath = keyPath });
        Assert.Equal("https", hs.BaseAddress.Scheme);
        string? seenThumbprint = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, c, _, _) => { seenThumbprint = c?.Thumbprint; return true; },
        };
        using var client = new HttpClient(handler) { BaseAddress = hs.BaseAddress };
        var body = await (await client.GetAsync("/_matrix/federation/v1/version")).AssertOkAsync();
        Assert.True(body.GetProperty("server").TryGetProperty("name", out _));
        Assert.Equal(cert.Thumbprint, seenThumbprint);
    }

    [Fact]
    public async Task WellKnownAndVersions_DescribeTheServer()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.PublicBaseurl = "https://matrix.example.org");
        var wk = await (await hs.Client.GetAsync("/.well-known/matrix/client")).AssertOkAsync();
        Assert.Equal("https://matrix.example.org/", wk.GetProperty("m.homeserver").GetProperty("base_url").GetString());
        var versions = await (await hs.Client.GetAsync("/_matrix/client/versions")).AssertOkAsync();
        Assert.Contains("v1.11", versions.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        var (_, c) = await hs.RegisterClientAsync();
        var caps = await (await c.GetAsync("/_matrix/client/v3/capabilities")).AssertOkAsync();
        Assert.True(caps.GetProperty("capabilities").GetProperty("m.change_password").GetProperty("enabled").GetBoolean());
        await (await hs.Client.GetAsync("/_matrix/client/v3/capabilities")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        foreach (var path in new[] { "/_matrix/client/v3/voip/turnServer", "/_matrix/client/v3/thirdparty/protocols", "/_matrix/client/v3/pushrules/", "/_matrix/client/v1/media/config" })
            await (await c.GetAsync(path)).AssertOkAsync();
    }
}
