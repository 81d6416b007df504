namespace Homeserver.Testing;

public sealed record TestUser(string UserId, string Localpart, string Password, string AccessToken, string DeviceId);
