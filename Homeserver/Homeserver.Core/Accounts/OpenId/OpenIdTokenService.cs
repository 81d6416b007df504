using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts.OpenId;

/// <summary>
/// OpenID tokens: a user asks for one and hands it to a third party (an integration manager, a widget), which asks our
/// federation endpoint whose it is. The token is an opaque secret of its own, never an access token, and proves only
/// who the user is, for an hour as in Synapse.
/// </summary>
public sealed class OpenIdTokenService(OpenIdTokenStore store, ServerIdentity server, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public sealed record Issued(string AccessToken, string MatrixServerName, long ExpiresInSeconds);

    public async Task<Issued> RequestAsync(UserId userId, CancellationToken ct)
    {
        var token = SecureTokens.Secret();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await store.AddAsync(SecureTokens.Sha256Hex(token), userId.ToString(), now + (long)Lifetime.TotalMilliseconds, now, ct);
        return new Issued(token, server.ServerName, (long)Lifetime.TotalSeconds);
    }

    /// <summary>Whose the token is; 401 <c>M_UNKNOWN_TOKEN</c> when it is unknown, expired or its account deactivated.</summary>
    public async Task<string> OwnerAsync(string token, CancellationToken ct) =>
        await store.OwnerAsync(SecureTokens.Sha256Hex(token), time.GetUtcNow().ToUnixTimeMilliseconds(), ct)
        ?? throw new MatrixException(401, ErrorCodes.UnknownToken, "Access token unknown or expired");
}
