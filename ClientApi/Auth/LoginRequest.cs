namespace ClientApi.Auth;

public sealed record LoginRequest
{
    public string? Type { get; init; }
    public string? Password { get; init; }
    public string? Token { get; init; }
    public string? DeviceId { get; init; }
    public string? InitialDeviceDisplayName { get; init; }
    public bool RefreshToken { get; init; }
}
