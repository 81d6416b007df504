namespace Homeserver.Core.Federation.Discovery;

/// <summary>Fetches <c>https://{hostname}/.well-known/matrix/server</c>.</summary>
public interface IWellKnownSource
{
    Task<WellKnownAnswer> FetchAsync(string hostname, CancellationToken ct);
}
