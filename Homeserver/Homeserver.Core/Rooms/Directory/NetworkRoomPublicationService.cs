using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// An application service publishing a room in one of its networks' room lists
/// (<c>/directory/list/appservice/{networkId}/{roomId}</c>). As in Synapse the service needs no membership or power
/// in the room: the list is the service's own, and <c>/publicRooms</c> still shows only rooms anyone may enter.
/// </summary>
public sealed class NetworkRoomPublicationService(RoomStore rooms, NetworkRoomListStore list)
{
    public async Task SetPublishedAsync(string appServiceId, string networkId, RoomId roomId, bool published, CancellationToken ct)
    {
        if (networkId.Length == 0)
            throw MatrixException.InvalidParam("networkId must not be empty");
        if (await rooms.GetAsync(roomId.ToString(), ct) is null)
            throw MatrixException.NotFound("Room not found");
        await list.SetAsync(appServiceId, networkId, roomId.ToString(), published, ct);
    }
}
