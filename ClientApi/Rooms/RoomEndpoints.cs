using Microsoft.AspNetCore.Routing;

namespace ClientApi.Rooms;

public static class RoomEndpoints
{
    public static void Map(RouteGroupBuilder v3, RouteGroupBuilder v1)
    {
        RelationEndpoints.Map(v3, v1);
        CreateRoomEndpoints.Map(v3);
        RoomEventEndpoints.Map(v3);
        RoomStateEndpoints.Map(v3);
        MembershipEndpoints.Map(v3);
        AliasEndpoints.Map(v3);
        PublicRoomsEndpoints.Map(v3);
        RoomVisibilityEndpoints.Map(v3);
        ReportEndpoints.Map(v3);
        ForgetEndpoints.Map(v3);
    }
}
