using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts.OpenId;

/// <summary>OpenID tokens (<c>openid_tokens</c>), keyed by the digest of the token.</summary>
public sealed class OpenIdTokenStore(Database db)
{
    private const string Insert = "INSERT INTO openid_tokens (token_hash, user_id, valid_until_ts) VALUES (@TokenHash, @UserId, @ValidUntil)";
    // Tokens are short-lived and only ever looked up, so the ones past their end go whenever a new one is made.
    private const string DeleteExpired = "DELETE FROM openid_tokens WHERE valid_until_ts < @Now";
    // A deactivated account proves nothing any more, so its tokens stop answering at once.
    private const string SelectOwner = """
        SELECT t.user_id FROM openid_tokens t JOIN users u ON u.user_id = t.user_id
        WHERE t.token_hash = @TokenHash AND t.valid_until_ts >= @Now AND u.is_deactivated = FALSE
        """;

    public Task AddAsync(string tokenHash, string userId, long validUntil, long now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync(DeleteExpired, new { Now = now }, ct, tx);
            await c.RunAsync(Insert, new { TokenHash = tokenHash, UserId = userId, ValidUntil = validUntil }, ct, tx);
        }, ct);

    /// <summary>The user the token was made for, while it is valid at <paramref name="now"/> and the account active; null otherwise.</summary>
    public Task<string?> OwnerAsync(string tokenHash, long now, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(SelectOwner, new { TokenHash = tokenHash, Now = now }, ct), ct);
}
