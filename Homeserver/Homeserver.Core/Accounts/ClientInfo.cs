namespace Homeserver.Core.Accounts;

/// <summary>Where a request came from, recorded as a device's last-seen details.</summary>
public sealed record ClientInfo(string? Ip, string? UserAgent);
