using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Accounts.Threepids;

/// <summary>
/// A forgotten password (spec "Password management", as Synapse): whoever proves, by a validated session, that they read
/// an email address bound to an account may give that account a new password. The account is the address's owner,
/// never one the client names, and the session is spent so that the same proof resets nothing twice.
/// </summary>
public sealed class PasswordResetService(ValidationService validation, ThreepidStore threepids, AccountService accounts, ILogger<PasswordResetService> log)
{
    /// <summary>
    /// Sets the new password of the account holding the address of <paramref name="validationSessionId"/> (a session
    /// a UIA <c>m.login.email.identity</c> stage checked); with <paramref name="logoutDevices"/> every device is logged out.
    /// </summary>
    public async Task ResetAsync(string? validationSessionId, string newPassword, bool logoutDevices, CancellationToken ct)
    {
        var session = validationSessionId is null ? null : await validation.FindValidatedAsync(validationSessionId, ct);
        if (session is null)
            throw new MatrixException(400, ErrorCodes.ThreepidAuthFailed, "No validated email address for this session");
        if (await threepids.FindOwnerAsync(session.Medium, session.Address, ct) is not { } owner || !UserId.TryParse(owner, out var userId))
            throw new MatrixException(404, ErrorCodes.NotFound, "Email address not found");
        if (!await validation.TrySpendAsync(session.SessionId, ct))
            throw new MatrixException(400, ErrorCodes.ThreepidAuthFailed, "This validation session has been used already");
        await accounts.ChangePasswordAsync(userId.Value, newPassword, logoutDevices, keepDeviceId: null, ct);
        log.LogInformation("Reset the password of {UserId} by a mailed token (session {SessionId})", userId, session.SessionId);
    }
}
