using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts.Sso;

/// <summary>
/// Short-lived, single-use tokens (<c>m.login.token</c>) that carry an SSO login from the browser to the client: the
/// client gets one in its redirect URL and exchanges it at <c>POST /login</c> for an access token.
/// </summary>
public sealed class LoginTokenService(LoginTokenStore store, TimeProvider time)
{
    /// <summary>Long enough for a browser to hand the token to the client, short enough that a leaked URL is soon worthless.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    public async Task<string> CreateAsync(UserId userId, CancellationToken ct)
    {
        var token = SecureTokens.Secret();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await store.AddAsync(SecureTokens.Sha256Hex(token), userId.ToString(), now + (long)Lifetime.TotalMilliseconds, now, ct);
        return token;
    }

    /// <summary>The user the token was made for, spending it; null for an unknown, spent or expired token.</summary>
    public async Task<UserId?> TakeAsync(string token, CancellationToken ct) =>
        await store.TakeAsync(SecureTokens.Sha256Hex(token), time.GetUtcNow().ToUnixTimeMilliseconds(), ct) is { } owner ? UserId.Parse(owner) : null;
}
