using Homeserver.Core.Configuration;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts;

/// <summary>
/// Reads a user a client looks up (a profile, an invitee): a local one that does not exist yet is asked for of every
/// <see cref="IUnknownUserQuery"/> first, so a bridge can create its users as they are first addressed.
/// </summary>
public sealed class UserLookup(UserStore users, IEnumerable<IUnknownUserQuery> queries, ServerIdentity server)
{
    public async Task<UserRecord?> GetAsync(UserId user, CancellationToken ct)
    {
        var row = await users.GetAsync(user.ToString(), ct);
        if (row is not null || user.ServerName != server.ServerName)
            return row;
        foreach (var query in queries)
            if (await query.TryCreateAsync(user, ct))
                return await users.GetAsync(user.ToString(), ct);
        return null;
    }
}
