namespace Homeserver.Core.Events;

/// <summary>Top-level PDU property names (server-server API, "PDUs"; room version event formats).</summary>
internal static class PduKeys
{
    public const string EventId = "event_id";
    public const string Type = "type";
    public const string RoomId = "room_id";
    public const string Sender = "sender";
    public const string StateKey = "state_key";
    public const string Content = "content";
    public const string Hashes = "hashes";
    public const string Signatures = "signatures";
    public const string Unsigned = "unsigned";
    public const string Depth = "depth";
    public const string PrevEvents = "prev_events";
    public const string AuthEvents = "auth_events";
    public const string OriginServerTs = "origin_server_ts";
    public const string Redacts = "redacts";
    public const string Sha256 = "sha256";
}
