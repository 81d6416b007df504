using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Rooms.Memberships;

/// <summary>
/// The spec's other half of guest access: when a room's <c>m.room.guest_access</c> stops being <c>can_join</c>, the
/// server sets its guest members' membership to <c>leave</c>. Each guest leaves by their own event, as in Synapse, so
/// no power is needed. The leaves are sent after the change commits, because they need the room's lock, which the
/// change holds while it is persisted.
/// </summary>
public sealed class GuestEvictionWorker(GuestEvictionQueue queue, MembershipService memberships, CurrentStateStore current, RoomStore rooms,
    StateService state, GuestJoinPolicy guests, ILogger<GuestEvictionWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var roomId in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await EvictAsync(roomId, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    log.LogError(e, "Could not remove the guests of {RoomId} after its guest access was revoked", roomId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Judged on the room's current state, so a setting changed back meanwhile keeps its guests.</summary>
    private async Task EvictAsync(RoomId roomId, CancellationToken ct)
    {
        var room = roomId.ToString();
        if (await rooms.GetAsync(room, ct) is not { } record || !RoomVersions.TryGet(record.RoomVersion, out var version))
            return;
        if (GuestJoinPolicy.AllowsGuests(await state.GetStateEventAsync(await current.GetStateAsync(room, ct), EventTypes.GuestAccess, version, ct)))
            return;
        foreach (var member in await current.MembersAsync(room, ct))
        {
            if (member.Membership != "join" || !UserId.TryParse(member.UserId, out var user) || !await guests.IsLocalGuestAsync(user.Value, ct))
                continue;
            await memberships.LeaveAsync(roomId, user.Value, null, ct);
            log.LogInformation("Guest {UserId} left {RoomId}: its guest access was revoked", user, roomId);
        }
    }
}
