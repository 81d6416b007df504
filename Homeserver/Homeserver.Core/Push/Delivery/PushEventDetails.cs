using System.Text.Json.Nodes;

namespace Homeserver.Core.Push.Delivery;

/// <summary>What a full-format notification says about its event and room.</summary>
public sealed record PushEventDetails(
    string EventId,
    string RoomId,
    string Type,
    string Sender,
    string? StateKey,
    JsonObject? Content,
    string? SenderDisplayName,
    string? RoomName,
    string? RoomAlias);
