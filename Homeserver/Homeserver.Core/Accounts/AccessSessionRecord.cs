namespace Homeserver.Core.Accounts;

/// <summary>A row of <c>access_sessions</c>: one live access token (and its refresh token, if any).</summary>
public sealed class AccessSessionRecord
{
    public string SessionId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string DeviceId { get; set; } = "";
    public long CreatedTs { get; set; }
    public long? ExpiresTs { get; set; }
    public string? RefreshTokenHash { get; set; }
    public long? RefreshExpiresTs { get; set; }
}
