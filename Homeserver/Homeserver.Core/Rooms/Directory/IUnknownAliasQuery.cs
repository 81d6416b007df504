namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// Someone who may create a local room alias on demand when a client resolves one that does not exist (application
/// services, spec "Querying": <c>AppServices</c> implements it, so Rooms need not know them).
/// </summary>
public interface IUnknownAliasQuery
{
    /// <summary>Whether it created <paramref name="alias"/> (or had it) when asked.</summary>
    Task<bool> TryCreateAsync(string alias, CancellationToken ct);
}
