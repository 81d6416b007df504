using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Push.Pushers;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.State;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Admin.Users;

/// <summary>
/// Deactivating an account, by its user (<c>/account/deactivate</c>) or an admin (<c>/_synapse/admin/v1/deactivate</c>):
/// the account (<see cref="AccountService.DeactivateAsync"/>: password, profile, third-party IDs, devices and their
/// tokens and keys), then its pushers, then every room it is in, invited to or knocking on, which it leaves, as Synapse
/// does. It sits above accounts, push and rooms because it takes a step in each.
/// </summary>
public sealed class UserDeactivationService(AccountService accounts, Accounts.Threepids.ThreepidService threepids, PusherService pushers, MembershipService memberships, CurrentStateStore current,
    ILogger<UserDeactivationService> log)
{
    /// <summary>Deactivates the account; true when every identity server this server bound its addresses at unbound them.</summary>
    public async Task<bool> DeactivateAsync(UserId userId, bool erase, CancellationToken ct)
    {
        await accounts.DeactivateAsync(userId, erase, ct);
        var unbound = await threepids.UnbindAllAsync(userId, ct);
        foreach (var pusher in await pushers.ListAsync(userId, ct))
            await pushers.DeleteAsync(userId, pusher.AppId, pusher.Pushkey, ct);
        foreach (var m in await current.MembershipsOfUserAsync(userId.ToString(), ct))
        {
            if (m.Membership is not ("join" or "invite" or "knock") || !RoomId.TryParse(m.RoomId, out var roomId))
                continue;
            try
            {
                await memberships.LeaveAsync(roomId.Value, userId, null, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One room that cannot be left (its server unreachable for an invite's refusal) must not keep the user in the others.
                log.LogWarning(e, "Deactivated {UserId} could not leave {RoomId}", userId, m.RoomId);
            }
        }
        return unbound;
    }
}
