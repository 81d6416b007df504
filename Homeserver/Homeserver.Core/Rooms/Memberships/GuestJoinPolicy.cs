using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Rooms.State;

namespace Homeserver.Core.Rooms.Memberships;

/// <summary>
/// The spec's guest access rule: a guest account joins only rooms whose <c>m.room.guest_access</c> is
/// <c>can_join</c>. Guests are a local notion that the auth rules do not know, so the rule is checked where local
/// events are built, which every join takes (the join endpoints and a member event sent as state alike).
/// </summary>
public sealed class GuestJoinPolicy(UserStore users, StateService state, ServerIdentity server)
{
    public const string CanJoin = "can_join";

    public static bool AllowsGuests(Pdu? guestAccess) => JsonFields.String(guestAccess?.Content, "guest_access") == CanJoin;

    /// <summary>Throws 403 when <paramref name="sender"/> is a local guest joining a room whose state before the join keeps guests out.</summary>
    public async Task EnsureMayJoinAsync(UserId sender, IReadOnlyDictionary<StateEventKey, string> stateBefore, RoomVersion version, CancellationToken ct)
    {
        if (!await IsLocalGuestAsync(sender, ct))
            return;
        if (!AllowsGuests(await state.GetStateEventAsync(stateBefore, EventTypes.GuestAccess, version, ct)))
            throw MatrixException.Forbidden("Guest access is not allowed in this room");
    }

    /// <summary>
    /// A guest joins only rooms this server is in: the room's guest access cannot be known before the join, and a
    /// remote server has no way to tell that our user is a guest (as in Synapse, which refuses these joins too).
    /// </summary>
    public async Task EnsureMayJoinRemotelyAsync(UserId sender, CancellationToken ct)
    {
        if (await IsLocalGuestAsync(sender, ct))
            throw MatrixException.Forbidden("Guest access is not allowed in rooms this server is not in");
    }

    public async Task<bool> IsLocalGuestAsync(UserId user, CancellationToken ct) =>
        user.ServerName == server.ServerName && await users.GetAsync(user.ToString(), ct) is { IsGuest: true };
}
