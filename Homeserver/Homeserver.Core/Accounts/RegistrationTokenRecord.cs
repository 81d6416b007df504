namespace Homeserver.Core.Accounts;

/// <summary>A row of <c>registration_tokens</c>: a token an admin handed out, with its uses and expiry (milliseconds).</summary>
public sealed class RegistrationTokenRecord
{
    public string Token { get; set; } = "";
    public long? UsesAllowed { get; set; }
    public long Pending { get; set; }
    public long Completed { get; set; }
    public long? ExpiryTime { get; set; }
}
