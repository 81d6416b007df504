using Homeserver.Core.Identifiers;

namespace Homeserver.Http.Auth;

/// <summary>The authenticated user and device behind a request.</summary>
public sealed record Requester(UserId UserId, string DeviceId, string SessionId);
