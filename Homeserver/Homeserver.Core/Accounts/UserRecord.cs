namespace Homeserver.Core.Accounts;

/// <summary>A row of <c>users</c>.</summary>
public sealed class UserRecord
{
    public string UserId { get; set; } = "";
    public string Localpart { get; set; } = "";
    public string? PasswordHash { get; set; }
    public bool IsAdmin { get; set; }
    public bool IsDeactivated { get; set; }
    public bool IsGuest { get; set; }
    public string? Displayname { get; set; }
    public string? AvatarUrl { get; set; }
    public long CreatedTs { get; set; }
    public long? LastActiveTs { get; set; }
    /// <summary>Synapse's user type (<c>bot</c>, <c>support</c>), null for an ordinary user.</summary>
    public string? UserType { get; set; }
    /// <summary>Deactivated with <c>erase</c>: the profile is gone and stays gone.</summary>
    public bool IsErased { get; set; }
    /// <summary>The user's room sends, invites and room creations seem to succeed but reach no one.</summary>
    public bool IsShadowBanned { get; set; }
    /// <summary>MSC3823 suspension: the user may read and leave but not send, join, invite or create rooms.</summary>
    public bool IsSuspended { get; set; }
}
