using Homeserver.Core.Identifiers;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Homeserver.Core.Accounts.Tokens;

/// <summary>
/// Reads an access token that arrives in a request body rather than in the <c>Authorization</c> header (a guest's
/// <c>guest_access_token</c> when it upgrades): the same signature, lifetime and live-session checks.
/// </summary>
public sealed class AccessTokenReader(AccessTokenIssuer issuer, SessionValidator sessions)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public sealed record Holder(UserId UserId, string DeviceId, bool IsGuest);

    /// <summary>Null when the token is forged, expired or revoked.</summary>
    public async Task<Holder?> ReadAsync(string token, CancellationToken ct)
    {
        var result = await _handler.ValidateTokenAsync(token, issuer.ValidationParameters);
        if (!result.IsValid
            || !result.Claims.TryGetValue(AccessTokenClaims.UserId, out var user) || !UserId.TryParse(user as string, out var userId)
            || !result.Claims.TryGetValue(AccessTokenClaims.DeviceId, out var device) || device is not string deviceId
            || !result.Claims.TryGetValue(AccessTokenClaims.SessionId, out var session) || session is not string sessionId
            || !await sessions.IsLiveAsync(sessionId, ct))
            return null;
        return new Holder(userId.Value, deviceId, result.Claims.TryGetValue(AccessTokenClaims.Guest, out var guest) && guest as string == "true");
    }
}
