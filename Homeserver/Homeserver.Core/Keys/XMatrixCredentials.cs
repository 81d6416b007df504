namespace Homeserver.Core.Keys;

/// <summary>The parameters of an <c>X-Matrix</c> Authorization header; <see cref="Destination"/> is null when an older server left it out.</summary>
public sealed record XMatrixCredentials(string Origin, string? Destination, string KeyId, string Signature);
