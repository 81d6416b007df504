namespace Homeserver.Core.Accounts.Passwords;

/// <summary>
/// The one place a user's password is checked, for login and UIA password stages alike: refused with 429
/// before any hashing once the account's failed attempts are used up, and every wrong guess counted.
/// </summary>
public sealed class PasswordChecker(UserStore users, PasswordHasher hasher, FailedLoginLimiter failures)
{
    /// <summary>The user when <paramref name="password"/> is theirs; null for a wrong password or an unknown user.</summary>
    public async Task<UserRecord?> CheckAsync(string userId, string password, CancellationToken ct)
    {
        failures.EnsureAllowed(userId);
        var user = await users.GetAsync(userId, ct);
        if (user is not null && hasher.Verify(password, user.PasswordHash))
            return user;
        failures.RecordFailure(userId);
        return null;
    }
}
