namespace ClientApi.Auth;

public sealed record RegisterRequest
{
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? DeviceId { get; init; }
    public string? InitialDeviceDisplayName { get; init; }
    public bool InhibitLogin { get; init; }
    public bool RefreshToken { get; init; }
    /// <summary>A guest's access token: registering the guest's own localpart with it upgrades that guest account.</summary>
    public string? GuestAccessToken { get; init; }
}
