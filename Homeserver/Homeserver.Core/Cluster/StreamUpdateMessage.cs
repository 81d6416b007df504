using System.Text.Json;
using System.Text.Json.Serialization;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Cluster;

/// <summary>
/// The updates of one commit as they travel between nodes, with the node that published them: kept together, so a
/// receiving node takes a revocation in before it wakes anyone with the rest of the same commit.
/// </summary>
internal sealed record StreamUpdateMessage(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("updates")] IReadOnlyList<StreamUpdateMessage.Update> Updates)
{
    internal sealed record Update(
        [property: JsonPropertyName("stream")] string Stream,
        [property: JsonPropertyName("position")] long Position,
        [property: JsonPropertyName("users")] IReadOnlyCollection<string> Users,
        [property: JsonPropertyName("room_id")] string? RoomId,
        [property: JsonPropertyName("to_room_members")] bool ToRoomMembers,
        [property: JsonPropertyName("peers_of")] string? PeersOf);

    public static byte[] Serialize(string node, IReadOnlyList<StreamUpdate> updates) =>
        JsonSerializer.SerializeToUtf8Bytes(new StreamUpdateMessage(node,
            [.. updates.Select(u => new Update(u.Stream, u.Position, u.Users, u.RoomId, u.ToRoomMembers, u.PeersOf))]));

    /// <summary>The message; null for one that is not a message of ours.</summary>
    public static StreamUpdateMessage? Parse(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize<StreamUpdateMessage>(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The updates as this node's subscribers hear them: revocations first, so no sync is woken on a revoked session.</summary>
    public IReadOnlyList<StreamUpdate> ToUpdates() =>
    [
        .. Updates.OrderBy(u => u.Stream == StreamNames.Sessions ? 0 : 1)
            .Select(u => new StreamUpdate(u.Stream, u.Position, u.Users) { RoomId = u.RoomId, ToRoomMembers = u.ToRoomMembers, PeersOf = u.PeersOf, Origin = Node }),
    ];
}
