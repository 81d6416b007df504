namespace Homeserver.Core.Accounts;

/// <summary>What login, registration and refresh hand back to the client.</summary>
public sealed record IssuedSession(string UserId, string DeviceId, string AccessToken, string? RefreshToken, long? ExpiresInMs);
