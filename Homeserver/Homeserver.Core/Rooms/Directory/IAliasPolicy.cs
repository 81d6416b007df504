namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// A rule another part of the server adds to who may create or delete a room alias: application services hold the
/// aliases of their exclusive namespaces (<c>AppServices</c> implements it, so Rooms need not know them).
/// </summary>
public interface IAliasPolicy
{
    /// <summary>Throws when <paramref name="alias"/> may not be created by this requester.</summary>
    /// <param name="appServiceId">The application service making the request; null for a client.</param>
    void EnsureMayCreate(string alias, string? appServiceId);

    /// <summary>Whether the requester may delete the alias though another user created it.</summary>
    bool MayDeleteAnyones(string alias, string? appServiceId);
}
