namespace Homeserver.Core.Configuration;

/// <summary>
/// Server notices (Synapse's <c>server_notices</c>): messages from the server to a user, sent by a system account into
/// a room of their own. Off while <see cref="SystemMxidLocalpart"/> is unset.
/// </summary>
public sealed class ServerNoticesOptions
{
    /// <summary>The localpart of the account that sends the notices, created on the first notice.</summary>
    public string? SystemMxidLocalpart { get; set; }

    public string? SystemMxidDisplayName { get; set; }

    /// <summary>An <c>mxc://</c> URI for the system account's avatar.</summary>
    public string? SystemMxidAvatarUrl { get; set; }

    /// <summary>The name of each user's notices room.</summary>
    public string RoomName { get; set; } = "Server Notices";

    public bool Enabled => !string.IsNullOrEmpty(SystemMxidLocalpart);
}
