using Homeserver.Core.AccountData;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Push.Pushers;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Admin.Users;

/// <summary>What an admin reads of an account's rooms, pushers and account data.</summary>
public sealed class UserDataAdminService(AdminTargets targets, CurrentStateStore current, PusherService pushers, AccountDataStore accountData)
{
    /// <summary>The rooms the user is joined to as this server knows them; for another server's user, the rooms shared with this one.</summary>
    public Task<IReadOnlyList<string>> JoinedRoomsAsync(UserId userId, CancellationToken ct) =>
        current.RoomsOfUserAsync(userId.ToString(), "join", ct);

    /// <summary>Every room the user has a membership in as this server knows it, with the membership (join, invite, knock, leave, ban).</summary>
    public async Task<IReadOnlyDictionary<string, string>> MembershipsAsync(UserId userId, CancellationToken ct) =>
        (await current.MembershipsOfUserAsync(userId.ToString(), ct)).ToDictionary(m => m.RoomId, m => m.Membership);

    public async Task<IReadOnlyList<PusherRecord>> PushersAsync(UserId userId, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        return await pushers.ListAsync(userId, ct);
    }

    /// <summary>All the user's account data: global entries have an empty room ID.</summary>
    public async Task<IReadOnlyList<AccountDataStore.Entry>> AccountDataAsync(UserId userId, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        return await accountData.ChangedAsync(userId.ToString(), 0, long.MaxValue, ct);
    }
}
