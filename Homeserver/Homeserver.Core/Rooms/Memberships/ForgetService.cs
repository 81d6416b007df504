using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Memberships;

/// <summary>
/// <c>POST /rooms/{roomId}/forget</c>: only a room the user has left or been banned from can be forgotten.
/// Any other case, including a room the user was never in or that does not exist, is the spec's 400
/// <c>M_UNKNOWN</c>, which also keeps the endpoint from revealing whether a room exists.
/// </summary>
public sealed class ForgetService(ForgottenRoomStore forgotten, TimeProvider time)
{
    public async Task ForgetAsync(UserId userId, RoomId roomId, CancellationToken ct)
    {
        if (!await forgotten.ForgetAsync(userId.ToString(), roomId.ToString(), time.GetUtcNow().ToUnixTimeMilliseconds(), ct))
            throw new MatrixException(400, ErrorCodes.Unknown, $"User {userId} is not in the leave or ban state in room {roomId}");
    }
}
