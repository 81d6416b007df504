using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Creation;

/// <summary>The options of <c>POST /createRoom</c>, validated at the HTTP edge.</summary>
public sealed record CreateRoomRequest
{
    public string? Preset { get; init; }
    public string? Visibility { get; init; }
    public string? RoomAliasName { get; init; }
    public string? Name { get; init; }
    public string? Topic { get; init; }
    public IReadOnlyList<UserId> Invite { get; init; } = [];
    public IReadOnlyList<ThirdPartyInvites.ThreepidInvite> Invite3pid { get; init; } = [];
    public IReadOnlyList<InitialStateEvent> InitialState { get; init; } = [];
    public string? RoomVersion { get; init; }
    public JsonObject? CreationContent { get; init; }
    public JsonObject? PowerLevelContentOverride { get; init; }
    public bool IsDirect { get; init; }

    /// <summary>The application service creating the room, for the alias rules (<see cref="Directory.IAliasPolicy"/>); null for a client.</summary>
    public string? CreatedByAppService { get; init; }
}
