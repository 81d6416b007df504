namespace ClientApi.Auth;

public sealed record RegisterRequest
{
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? DeviceId { get; init; }
    public string? InitialDeviceDisplayName { get; init; }
    public bool InhibitLogin { get; init; }
    public bool RefreshToken { get; init; }
}
