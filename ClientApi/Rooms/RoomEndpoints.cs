using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class RoomEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        CreateRoomEndpoints.Map(v3);
        RoomEventEndpoints.Map(v3);
        RoomStateEndpoints.Map(v3);
        MembershipEndpoints.Map(v3);
        AliasEndpoints.Map(v3);
    }
}
