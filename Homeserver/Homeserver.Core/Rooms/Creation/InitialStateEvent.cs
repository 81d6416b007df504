using System.Text.Json.Nodes;

namespace Homeserver.Core.Rooms.Creation;

/// <summary>One state event to send while creating a room.</summary>
public sealed record InitialStateEvent(string Type, string StateKey, JsonObject Content);
