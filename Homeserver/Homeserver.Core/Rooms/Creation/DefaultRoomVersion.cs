using Homeserver.Core.Configuration;
using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.Creation;

/// <summary>The version of rooms created without one (<c>default_room_version</c>), the default <c>/capabilities</c> advertises.</summary>
public sealed record DefaultRoomVersion(RoomVersion Version)
{
    public static DefaultRoomVersion Of(HomeserverOptions options) =>
        new(RoomVersions.TryGet(options.DefaultRoomVersion, out var version)
            ? version
            : throw new InvalidOperationException($"default_room_version '{options.DefaultRoomVersion}' is not supported; the config's validation refuses it"));
}
