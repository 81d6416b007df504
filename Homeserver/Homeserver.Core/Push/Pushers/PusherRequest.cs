using System.Text.Json.Nodes;

namespace Homeserver.Core.Push.Pushers;

/// <summary>The body of <c>POST /pushers/set</c> for a pusher being created or updated (kind not null).</summary>
public sealed record PusherRequest(
    string Kind,
    string AppId,
    string Pushkey,
    string AppDisplayName,
    string DeviceDisplayName,
    string? ProfileTag,
    string Lang,
    JsonObject Data,
    bool Append);
