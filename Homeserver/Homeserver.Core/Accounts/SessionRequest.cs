using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts;

/// <summary>The device and token options a client sends with login or registration.</summary>
public sealed record SessionRequest(string? DeviceId, string? InitialDeviceDisplayName, bool RefreshToken, ClientInfo Client)
{
    /// <summary>A device ID the client chose is a key of several tables: held to the identifier policy.</summary>
    public string? DeviceId { get; init; } = DeviceId is null ? null : StoredText.EnsureIdentifier(DeviceId, "device_id");
}
