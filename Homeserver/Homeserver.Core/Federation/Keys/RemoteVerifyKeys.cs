using Homeserver.Core.Configuration;
using Homeserver.Core.Keys;

namespace Homeserver.Core.Federation.Keys;

/// <summary>
/// Every server's keys: ours, and others' from the persistent cache, fetched afresh (<see cref="ServerKeyRefresher"/>)
/// when the cache does not have the key or it is not valid at the time asked about.
/// </summary>
public sealed class RemoteVerifyKeys(SigningKey key, ServerIdentity server, ServerKeyStore store, ServerKeyRefresher refresher) : IVerifyKeys
{
    public async ValueTask<byte[]?> FindAsync(string serverName, string keyId, long? atTs, CancellationToken ct)
    {
        if (serverName == server.ServerName)
            return keyId == key.KeyId ? key.PublicKey.ToArray() : null;
        var known = await store.GetAsync(serverName, keyId, ct);
        if (known is not null && known.IsValidAt(atTs))
            return known.PublicKey;
        // Nothing fetched may mean another caller fetched the server's keys moments ago: the cache has them then.
        var found = (await refresher.RefreshAsync(serverName, [keyId], KeyRefreshPurpose.Verifying, ct)).FirstOrDefault(k => k.KeyId == keyId)
            ?? await store.GetAsync(serverName, keyId, ct) ?? known;
        return found is not null && found.IsValidAt(atTs) ? found.PublicKey : null;
    }
}
