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
}
