using Homeserver.Core.Accounts;

namespace Homeserver.Core.Admin.Users;

/// <summary>An account as Synapse's admin API shows one: its row and its third-party IDs.</summary>
public sealed record UserDetails(UserRecord User, IReadOnlyList<ThreepidRecord> Threepids);
