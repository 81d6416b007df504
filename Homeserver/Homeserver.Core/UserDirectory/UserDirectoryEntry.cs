namespace Homeserver.Core.UserDirectory;

/// <summary>One user in a user directory search result (serialised as <c>user_id</c>, <c>display_name</c>, <c>avatar_url</c>).</summary>
public sealed record UserDirectoryEntry(string UserId, string? DisplayName, string? AvatarUrl);
