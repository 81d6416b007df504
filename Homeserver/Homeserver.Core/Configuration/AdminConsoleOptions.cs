namespace Homeserver.Core.Configuration;

/// <summary>
/// The web console at <c>/_admin/</c> on the client listener. It is only a front end of the admin API, which
/// asks for an admin's access token whoever calls it; the networks below decide who is shown the console at all, so
/// that it stays off the public internet unless an operator opens it (the client's address is the one
/// <c>trusted_proxies</c> resolves).
/// </summary>
public sealed class AdminConsoleOptions
{
    public bool Enabled { get; set; } = true;
    public List<string> AllowedNetworks { get; set; } = ["127.0.0.0/8", "::1/128"];
}
