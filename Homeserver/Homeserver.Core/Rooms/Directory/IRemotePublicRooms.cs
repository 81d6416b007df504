using System.Text.Json.Nodes;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>Another server's room directory, asked of it for a client (federation's <c>/publicRooms</c>).</summary>
public interface IRemotePublicRooms
{
    /// <summary>
    /// The server's answer (the spec's <c>public_rooms_response</c>), asked with a <c>POST</c> when the request carries
    /// a filter and a <c>GET</c> otherwise.
    /// </summary>
    Task<JsonObject> ListAsync(string serverName, PublicRoomsRequest request, CancellationToken ct);
}
