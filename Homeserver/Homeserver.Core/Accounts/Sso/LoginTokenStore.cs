using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts.Sso;

/// <summary>Login tokens (<c>login_tokens</c>), keyed by the digest of the token, shared by every node.</summary>
public sealed class LoginTokenStore(Database db)
{
    private const string Insert = "INSERT INTO login_tokens (token_hash, user_id, valid_until_ts) VALUES (@TokenHash, @UserId, @ValidUntil)";
    private const string DeleteExpired = "DELETE FROM login_tokens WHERE valid_until_ts < @Now";
    // Deleting is what spends the token: of two concurrent exchanges only one deletes the row and gets its owner.
    private const string Take = "DELETE FROM login_tokens WHERE token_hash = @TokenHash RETURNING user_id AS UserId, valid_until_ts AS ValidUntil";

    private sealed record TakenToken(string UserId, long ValidUntil);

    public Task AddAsync(string tokenHash, string userId, long validUntil, long now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync(DeleteExpired, new { Now = now }, ct, tx);
            await c.RunAsync(Insert, new { TokenHash = tokenHash, UserId = userId, ValidUntil = validUntil }, ct, tx);
        }, ct);

    /// <summary>Spends the token; its owner while it is valid at <paramref name="now"/>, null when unknown, spent or expired.</summary>
    public async Task<string?> TakeAsync(string tokenHash, long now, CancellationToken ct)
    {
        var taken = await db.WriteAsync((c, tx) => c.FirstOrDefaultAsync<TakenToken>(Take, new { TokenHash = tokenHash }, ct, tx), ct);
        return taken is not null && taken.ValidUntil >= now ? taken.UserId : null;
    }
}
