namespace Homeserver.Core.Accounts;

/// <summary>A row of <c>devices</c>.</summary>
public sealed class DeviceRecord
{
    public string UserId { get; set; } = "";
    public string DeviceId { get; set; } = "";
    public string? DisplayName { get; set; }
    public long CreatedTs { get; set; }
    public long? LastSeenTs { get; set; }
    public string? LastSeenIp { get; set; }
    public string? LastSeenUserAgent { get; set; }
}
