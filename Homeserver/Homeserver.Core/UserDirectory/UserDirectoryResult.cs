namespace Homeserver.Core.UserDirectory;

/// <summary>The answer to <c>POST /user_directory/search</c>; <see cref="Limited"/> says more users matched than were returned.</summary>
public sealed record UserDirectoryResult(IReadOnlyList<UserDirectoryEntry> Results, bool Limited);
