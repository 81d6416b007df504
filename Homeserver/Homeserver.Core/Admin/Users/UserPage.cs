using Homeserver.Core.Accounts;

namespace Homeserver.Core.Admin.Users;

/// <summary>One page of the user list and how many users the filters match in all.</summary>
public sealed record UserPage(IReadOnlyList<UserRecord> Users, long Total);
