using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Admin.Users;

/// <summary>The user an admin call is about: 400 when it belongs to another server, 404 when there is no such account, as Synapse answers.</summary>
public sealed class AdminTargets(UserStore users, ServerIdentity server)
{
    public void EnsureLocal(UserId userId)
    {
        if (userId.ServerName != server.ServerName)
            throw MatrixException.InvalidParam("Can only look up local users");
    }

    public async Task<UserRecord> LocalUserAsync(UserId userId, CancellationToken ct)
    {
        EnsureLocal(userId);
        return await users.GetAsync(userId.ToString(), ct) ?? throw MatrixException.NotFound("User not found");
    }
}
