namespace Homeserver.Core.Accounts.Threepids;

/// <summary>A row of <c>threepid_validation_sessions</c> (milliseconds); <see cref="ValidatedTs"/> is null until the mailed token comes back.</summary>
public sealed class ValidationSessionRecord
{
    public string SessionId { get; set; } = "";
    public string Medium { get; set; } = "";
    public string Address { get; set; } = "";
    public string ClientSecret { get; set; } = "";
    public string TokenHash { get; set; } = "";
    public long SendAttempt { get; set; }
    public long CreatedTs { get; set; }
    public long? ValidatedTs { get; set; }
    public int FailedAttempts { get; set; }
}
