using Homeserver.Core.Configuration;

namespace Homeserver.Core.Keys;

/// <summary>Only this server's own signing key: every other server's key is unknown until federation fetches keys.</summary>
public sealed class LocalVerifyKeys(SigningKey key, ServerIdentity server) : IVerifyKeys
{
    public ValueTask<byte[]?> FindAsync(string serverName, string keyId, long atTs, CancellationToken ct) =>
        ValueTask.FromResult(serverName == server.ServerName && keyId == key.KeyId ? key.PublicKey.ToArray() : null);
}
