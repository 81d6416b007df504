namespace Homeserver.Core.Accounts;

/// <summary>The device and token options a client sends with login or registration.</summary>
public sealed record SessionRequest(string? DeviceId, string? InitialDeviceDisplayName, bool RefreshToken, ClientInfo Client);
