using System.Buffers.Text;
using System.Security.Cryptography;
using Homeserver.Core.Keys;
using Xunit;

namespace Homeserver.UnitTests.Keys;

public sealed class VapidKeyTests
{
    [Fact]
    public async Task FirstStart_CreatesAnOwnerOnlyP256Key_LaterStartsLoadIt()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vapid-").FullName, "keys", "vapid.pem");
        var created = await VapidKey.LoadOrCreateAsync(path, CancellationToken.None);
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var point = Base64Url.DecodeFromChars(created.PublicKey);
        Assert.Equal(65, point.Length);
        Assert.Equal(0x04, point[0]);
        Assert.Equal(32, Base64Url.DecodeFromChars(created.PrivateKey).Length);

        var loaded = await VapidKey.LoadOrCreateAsync(path, CancellationToken.None);
        Assert.Equal(created.PublicKey, loaded.PublicKey);
        Assert.Equal(created.PrivateKey, loaded.PrivateKey);
    }

    [Fact]
    public async Task KeyFromAnotherCurveOrNotPem_FailsStartWithTheFileNamed()
    {
        var dir = Directory.CreateTempSubdirectory("vapid-").FullName;
        var p384 = Path.Combine(dir, "p384.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP384))
            await File.WriteAllTextAsync(p384, key.ExportPkcs8PrivateKeyPem());
        Assert.Contains("p384.pem", (await Assert.ThrowsAsync<InvalidDataException>(() => VapidKey.LoadOrCreateAsync(p384, CancellationToken.None))).Message);
        var junk = Path.Combine(dir, "junk.pem");
        await File.WriteAllTextAsync(junk, "not a key");
        Assert.Contains("junk.pem", (await Assert.ThrowsAsync<InvalidDataException>(() => VapidKey.LoadOrCreateAsync(junk, CancellationToken.None))).Message);
    }
}
