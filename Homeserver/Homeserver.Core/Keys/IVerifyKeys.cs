namespace Homeserver.Core.Keys;

/// <summary>The public keys servers sign with, for checking signatures on events and requests: ours and other servers'.</summary>
public interface IVerifyKeys
{
    /// <summary>
    /// The raw Ed25519 key <paramref name="keyId"/> of <paramref name="serverName"/>, if known and valid for something
    /// dated <paramref name="atTs"/> (null: at any time, for room versions that do not bound keys); null otherwise.
    /// </summary>
    ValueTask<byte[]?> FindAsync(string serverName, string keyId, long? atTs, CancellationToken ct);
}
