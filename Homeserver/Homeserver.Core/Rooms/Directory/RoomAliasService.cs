using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// Local room aliases (<c>/directory/room</c>, <c>/rooms/{roomId}/aliases</c>). Anyone may resolve one; only a joined
/// member (Synapse's <c>require_membership_for_aliases</c> default) or an application service within its alias
/// namespaces may point an alias of this server at a room; its creator, a server admin or a member with the power to
/// change the room's canonical alias may delete it.
/// </summary>
public sealed class RoomAliasService(RoomAliasStore aliases, RoomReadService reads, IEnumerable<IAliasPolicy> policies,
    IEnumerable<IUnknownAliasQuery> queries, ServerIdentity server, CurrentStateStore current, IRemoteAliasDirectory remote,
    StateService state, UserLookup users, CanonicalAliasRemoval canonical)
{
    /// <summary>
    /// The alias's room and the servers in it: a local alias from our directory (our server first, then the servers of
    /// the room's joined members), another server's by asking that server.
    /// </summary>
    public async Task<ResolvedAlias> LookupAsync(string alias, CancellationToken ct)
    {
        if (!RoomAlias.TryParse(alias, out var parsed) || parsed.Value.ServerName == server.ServerName)
            return await LookupLocalAsync(alias, ct);
        return await remote.QueryAsync(parsed.Value, ct) ?? throw MatrixException.NotFound("Room alias not found");
    }

    /// <summary>A local alias's room and the servers in it (federation's directory query).</summary>
    public async Task<ResolvedAlias> LookupLocalAsync(string alias, CancellationToken ct)
    {
        if (!RoomAlias.TryParse(alias, out var parsed) || parsed.Value.ServerName != server.ServerName)
            throw MatrixException.NotFound("Room alias not found");
        var roomId = await ResolveAsync(alias, ct);
        var servers = new List<string> { server.ServerName };
        foreach (var m in await current.MembersAsync(roomId.ToString(), ct))
            if (m.Membership == "join" && UserId.TryParse(m.UserId, out var member) && !servers.Contains(member.Value.ServerName))
                servers.Add(member.Value.ServerName);
        return new ResolvedAlias(roomId, servers);
    }

    /// <summary>The alias's room; a local alias that does not exist yet is asked for of every <see cref="IUnknownAliasQuery"/> first.</summary>
    public async Task<RoomId> ResolveAsync(string alias, CancellationToken ct)
    {
        var row = await aliases.GetAsync(alias, ct);
        if (row is null && RoomAlias.TryParse(alias, out var parsed) && parsed.Value.ServerName == server.ServerName)
            foreach (var query in queries)
                if (await query.TryCreateAsync(alias, ct))
                {
                    row = await aliases.GetAsync(alias, ct);
                    break;
                }
        return RoomId.Parse(row?.RoomId ?? throw MatrixException.NotFound("Room alias not found"));
    }

    /// <summary>Throws unless the alias is of this server; the endpoint asks before reading the body, so this refusal answers first.</summary>
    public void EnsureLocal(string alias)
    {
        if (RoomAlias.Parse(alias).ServerName != server.ServerName)
            throw MatrixException.InvalidParam("Aliases can only be created on this server's domain");
    }

    /// <param name="appServiceId">The application service creating it (<see cref="IAliasPolicy"/>); null for a client.</param>
    public async Task CreateAsync(string alias, RoomId roomId, UserId creator, string? appServiceId, CancellationToken ct)
    {
        EnsureLocal(alias);
        foreach (var policy in policies)
            policy.EnsureMayCreate(alias, appServiceId);
        // A service points the aliases of its namespace (which the policies hold it to) at rooms it need not be in,
        // such as the portals it opens for a user who asked for an alias, as Synapse lets it.
        if (appServiceId is not null)
            await reads.VersionOfAsync(roomId, ct);
        else if (!await reads.IsJoinedAsync(roomId, creator, ct))
            throw MatrixException.Forbidden("You must be joined to the room to create an alias for it");
        if (await aliases.GetAsync(alias, ct) is not null)
            throw new MatrixException(409, "M_UNKNOWN", "Room alias already exists");
        await aliases.CreateAsync(alias, roomId.ToString(), creator.ToString(), ct);
    }

    /// <summary>
    /// Deletes an alias, for its creator, a server admin, or a joined member with the power to send the room's
    /// <c>m.room.canonical_alias</c> (Synapse's rule), and takes it out of that event if the room names it there.
    /// </summary>
    /// <param name="appServiceId">The application service deleting it, which <see cref="IAliasPolicy"/> may let delete others' aliases.</param>
    public async Task DeleteAsync(string alias, UserId userId, string? appServiceId, CancellationToken ct)
    {
        var row = await aliases.GetAsync(alias, ct) ?? throw MatrixException.NotFound("Room alias not found");
        var roomId = RoomId.Parse(row.RoomId);
        if (row.Creator != userId.ToString() && !policies.Any(p => p.MayDeleteAnyones(row.RoomAlias, appServiceId))
            && !await MayEditRoomAliasesAsync(roomId, userId, ct))
            throw MatrixException.Forbidden("You don't have permission to delete the alias");
        if (!await aliases.DeleteAsync(row.RoomAlias, ct))
            throw MatrixException.NotFound("Room alias not found");
        await canonical.RemoveAsync(roomId, userId, row.RoomAlias, ct);
    }

    private async Task<bool> MayEditRoomAliasesAsync(RoomId roomId, UserId userId, CancellationToken ct)
    {
        if (await users.GetAsync(userId, ct) is { IsAdmin: true })
            return true;
        if (!await reads.IsJoinedAsync(roomId, userId, ct))
            return false;
        var version = await reads.VersionOfAsync(roomId, ct);
        var levels = await state.PowerLevelsAsync(await current.GetStateAsync(roomId.ToString(), ct), version, ct);
        return levels.GetUserLevel(userId) >= levels.GetRequiredLevel(DirectoryStateTypes.CanonicalAlias, isState: true);
    }

    /// <summary>The room's local aliases, for whoever may read the room.</summary>
    public async Task<IReadOnlyList<string>> OfRoomAsync(RoomId roomId, UserId userId, CancellationToken ct)
    {
        var version = await reads.VersionOfAsync(roomId, ct);
        await reads.EnsureCanReadAsync(userId, roomId, version, ct);
        return await aliases.ForRoomAsync(roomId.ToString(), ct);
    }
}
