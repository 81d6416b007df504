namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>A room's join rule (client-server API, <c>m.room.join_rules</c>).</summary>
public enum JoinRule
{
    /// <summary>Anything else: not a join rule this room version knows, so it admits nobody new.</summary>
    Unknown,
    Public,
    Invite,
    Knock,
    Restricted,
    KnockRestricted,

    /// <summary>"Reserved without implementation"; the auth rules treat it like an unknown value.</summary>
    Private,
}
