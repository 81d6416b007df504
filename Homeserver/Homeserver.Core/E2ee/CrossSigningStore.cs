using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.E2ee;

/// <summary>Users' cross-signing keys, and the signatures added later to device keys and master keys.</summary>
public sealed class CrossSigningStore(Database db)
{
    public const string Master = "master";
    public const string SelfSigning = "self_signing";
    public const string UserSigning = "user_signing";

    private const string SelectKeys = "SELECT key_type, public_key, key_json FROM e2e_cross_signing_keys WHERE user_id = @UserId";
    private const string UpsertKey = """
        INSERT INTO e2e_cross_signing_keys (user_id, key_type, public_key, key_json) VALUES (@UserId, @KeyType, @PublicKey, @KeyJson)
        ON CONFLICT (user_id, key_type) DO UPDATE SET public_key = excluded.public_key, key_json = excluded.key_json
        """;
    private const string UpsertSignature = """
        INSERT INTO e2e_signatures (target_user_id, target_key_id, signer_user_id, signer_key_id, signature)
        VALUES (@TargetUserId, @TargetKeyId, @SignerUserId, @SignerKeyId, @Signature)
        ON CONFLICT (target_user_id, target_key_id, signer_user_id, signer_key_id) DO UPDATE SET signature = excluded.signature
        """;
    // The spec hides signatures made by other users' user-signing keys: a viewer sees the owner's own signatures and their own.
    private const string SelectVisibleSignatures = """
        SELECT target_key_id AS TargetKeyId, signer_user_id AS SignerUserId, signer_key_id AS SignerKeyId, signature AS Signature FROM e2e_signatures
        WHERE target_user_id = @TargetUserId AND (signer_user_id = @TargetUserId OR signer_user_id = @Viewer)
        """;

    public sealed class Key
    {
        public string KeyType { get; set; } = "";
        public string PublicKey { get; set; } = "";
        public string KeyJson { get; set; } = "";
    }

    private const string SelectOwnSignatures = """
        SELECT target_key_id AS TargetKeyId, signer_user_id AS SignerUserId, signer_key_id AS SignerKeyId, signature AS Signature FROM e2e_signatures
        WHERE target_user_id = @UserId AND target_key_id = @KeyId AND signer_user_id = @UserId
        """;

    private sealed record SignatureRow(string TargetKeyId, string SignerUserId, string SignerKeyId, string Signature);

    public async Task<Dictionary<string, Key>> KeysAsync(string userId, CancellationToken ct) =>
        (await db.ReadAsync(c => c.ListAsync<Key>(SelectKeys, new { UserId = userId }, ct), ct)).ToDictionary(k => k.KeyType);

    public static Task PutKeyAsync(DbConnection c, DbTransaction tx, string userId, Key key, CancellationToken ct) =>
        c.RunAsync(UpsertKey, new { UserId = userId, key.KeyType, key.PublicKey, key.KeyJson }, ct, tx);

    public static Task PutSignatureAsync(DbConnection c, DbTransaction tx, string targetUserId, string targetKeyId, string signerUserId,
        string signerKeyId, string signature, CancellationToken ct) =>
        c.RunAsync(UpsertSignature, new { TargetUserId = targetUserId, TargetKeyId = targetKeyId, SignerUserId = signerUserId, SignerKeyId = signerKeyId, Signature = signature }, ct, tx);

    /// <summary>Signatures on <paramref name="targetUserId"/>'s keys that <paramref name="viewer"/> may see, by target key ID.</summary>
    public async Task<ILookup<string, (string SignerUserId, string SignerKeyId, string Signature)>> VisibleSignaturesAsync(string targetUserId, string viewer, CancellationToken ct) =>
        (await db.ReadAsync(c => c.ListAsync<SignatureRow>(SelectVisibleSignatures, new { TargetUserId = targetUserId, Viewer = viewer }, ct), ct))
            .ToLookup(r => r.TargetKeyId, r => (r.SignerUserId, r.SignerKeyId, r.Signature));

    /// <summary>The user's own signatures on one of their keys (what other servers see), as the transaction <paramref name="tx"/> sees them.</summary>
    public static async Task<IReadOnlyList<(string SignerUserId, string SignerKeyId, string Signature)>> OwnSignaturesAsync(DbConnection c, DbTransaction tx,
        string userId, string keyId, CancellationToken ct) =>
        (await c.ListAsync<SignatureRow>(SelectOwnSignatures, new { UserId = userId, KeyId = keyId }, ct, tx)).Select(r => (r.SignerUserId, r.SignerKeyId, r.Signature)).ToList();
}
