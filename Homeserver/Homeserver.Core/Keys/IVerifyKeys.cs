namespace Homeserver.Core.Keys;

/// <summary>
/// The public keys servers sign with, for checking signatures on events and requests. This server's own keys
/// today (<see cref="LocalVerifyKeys"/>); federation brings the remote servers' keys and their validity.
/// </summary>
public interface IVerifyKeys
{
    /// <summary>The raw Ed25519 key <paramref name="keyId"/> of <paramref name="serverName"/>, if known and valid at <paramref name="atTs"/>; null otherwise.</summary>
    ValueTask<byte[]?> FindAsync(string serverName, string keyId, long atTs, CancellationToken ct);
}
