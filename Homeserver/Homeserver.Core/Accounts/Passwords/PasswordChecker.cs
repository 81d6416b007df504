using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts.Passwords;

/// <summary>
/// The one place a user's password is checked, for login and UIA password stages alike: refused with 429
/// before any hashing once the account's failed attempts are used up, and every wrong guess counted.
/// </summary>
public sealed class PasswordChecker(UserStore users, FailedLoginLimiter failures)
{
    /// <summary>The user when <paramref name="password"/> is theirs; otherwise why not, for the caller's log (never for the client).</summary>
    public async Task<PasswordCheck> CheckAsync(UserId userId, string password, CancellationToken ct)
    {
        failures.EnsureAllowed(userId);
        var user = await users.GetAsync(userId.ToString(), ct);
        if (user is not null && PasswordHasher.Verify(password, user.PasswordHash))
            return new PasswordCheck(user, null);
        failures.RecordFailure(userId);
        return new PasswordCheck(null, user switch
        {
            null => "no such user",
            { IsDeactivated: true } => "the account is deactivated",
            { PasswordHash: null } => "the account has no password",
            _ => "wrong password",
        });
    }
}

/// <summary>The outcome of <see cref="PasswordChecker.CheckAsync"/>: the user, or the reason the check failed.</summary>
public readonly record struct PasswordCheck(UserRecord? User, string? Failure);
