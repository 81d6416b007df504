using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>The rooms each application service publishes in its networks' room lists (<c>appservice_room_list</c>).</summary>
public sealed class NetworkRoomListStore(Database db)
{
    private const string Insert = """
        INSERT INTO appservice_room_list (appservice_id, network_id, room_id) VALUES (@AppServiceId, @NetworkId, @RoomId)
        ON CONFLICT (appservice_id, network_id, room_id) DO NOTHING
        """;
    private const string Delete = """
        DELETE FROM appservice_room_list WHERE appservice_id = @AppServiceId AND network_id = @NetworkId AND room_id = @RoomId
        """;

    public Task SetAsync(string appServiceId, string networkId, string roomId, bool published, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(published ? Insert : Delete,
            new { AppServiceId = appServiceId, NetworkId = networkId, RoomId = roomId }, ct, tx), ct);
}
