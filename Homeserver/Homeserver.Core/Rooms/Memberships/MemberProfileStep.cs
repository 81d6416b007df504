using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Rooms.Memberships;

/// <summary>
/// A new display name or avatar reaches every room the user is joined to, as a fresh join event carrying it, so other
/// members see the change (as Synapse does). A room that refuses the event (the user may no longer join it, say a
/// guest in a room that stopped allowing guests) keeps the old one; the others still change.
/// </summary>
public sealed class MemberProfileStep(RoomReadService reads, MembershipService memberships, ILogger<MemberProfileStep> log) : IProfileChangeStep
{
    public async Task OnProfileChangedAsync(UserId userId, CancellationToken ct)
    {
        foreach (var room in await reads.JoinedRoomsAsync(userId, ct))
        {
            try
            {
                await memberships.JoinAsync(RoomId.Parse(room), userId, ct);
            }
            catch (MatrixException e)
            {
                log.LogInformation("The profile of {UserId} stays as it was in {RoomId}: {Reason}", userId, room, e.Message);
            }
        }
    }
}
