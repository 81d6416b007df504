namespace Homeserver.Core.Rooms;

/// <summary>A row of <c>rooms</c>.</summary>
public sealed class RoomRecord
{
    public string RoomId { get; set; } = "";
    public string RoomVersion { get; set; } = "";
    public string Creator { get; set; } = "";
    public string? Name { get; set; }
    public bool IsPublic { get; set; }
    public long CreatedTs { get; set; }
}
