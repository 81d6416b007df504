using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts;

/// <summary>
/// Someone who may create a local user on demand when a client looks up one that does not exist (application
/// services, spec "Querying": <c>AppServices</c> implements it, so Accounts need not know them).
/// </summary>
public interface IUnknownUserQuery
{
    /// <summary>Whether it created <paramref name="user"/> (or had it) when asked.</summary>
    Task<bool> TryCreateAsync(UserId user, CancellationToken ct);
}
