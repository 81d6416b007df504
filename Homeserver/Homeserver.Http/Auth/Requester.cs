namespace Homeserver.Http.Auth;

/// <summary>The authenticated user and device behind a request.</summary>
public sealed record Requester(string UserId, string DeviceId, string SessionId);
