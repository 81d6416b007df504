namespace Homeserver.Core.Accounts.Threepids;

/// <summary>What a mailed token will prove ownership for; each decides whether the address may already belong to an account.</summary>
public enum ValidationPurpose
{
    /// <summary>A new account's address: must be nobody's yet.</summary>
    Registration,
    /// <summary>An address added to an existing account: must be nobody's yet.</summary>
    AddThreepid,
    /// <summary>A password reset: must be an account's.</summary>
    PasswordReset,
}
