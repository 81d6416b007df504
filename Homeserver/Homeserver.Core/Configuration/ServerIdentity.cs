namespace Homeserver.Core.Configuration;

/// <summary>
/// Who this server is, fixed for the life of the process: the one thing most classes need of the config. They take
/// this rather than <see cref="HomeserverOptions"/>, so what each class depends on is visible in its constructor.
/// </summary>
/// <param name="ServerName">The name in the server's user IDs, room aliases and media URIs.</param>
/// <param name="ClientBaseUrl">The base URL clients are told to use, ending in <c>/</c>.</param>
public sealed record ServerIdentity(string ServerName, string ClientBaseUrl)
{
    public static ServerIdentity Of(HomeserverOptions options) => new(options.ServerName, options.ClientBaseUrl);
}
