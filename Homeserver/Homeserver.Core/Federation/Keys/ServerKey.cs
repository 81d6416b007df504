namespace Homeserver.Core.Federation.Keys;

/// <summary>One of another server's signing keys with what bounds its use (see <see cref="IsValidAt"/>).</summary>
/// <param name="PublicKey">The raw Ed25519 public key.</param>
/// <param name="ExpiredTs">When an old key stopped being used; null for a current key.</param>
public sealed record ServerKey(string ServerName, string KeyId, byte[] PublicKey, long ValidUntilTs, long? ExpiredTs)
{
    /// <summary>
    /// Whether the key verifies something dated <paramref name="ts"/>: a current key up to its
    /// <c>valid_until_ts</c>, an old one before its <c>expired_ts</c>; null asks for no date (room versions before 5).
    /// </summary>
    public bool IsValidAt(long? ts) => ts is not { } at || (ExpiredTs is { } expired ? at < expired : at <= ValidUntilTs);
}
