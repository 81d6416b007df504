using Homeserver.Core.Json;

namespace Homeserver.Core.Admin.Users;

/// <summary>
/// The body of <c>PUT /_synapse/admin/v2/users/{userId}</c>: only what is set acts. An empty display name or avatar
/// removes it; a null user type clears it.
/// </summary>
public sealed record UserEdit(
    Optional<string> Password,
    bool LogoutDevices,
    Optional<string> Displayname,
    Optional<string> AvatarUrl,
    Optional<bool> Admin,
    Optional<bool> Deactivated,
    Optional<string?> UserType,
    Optional<IReadOnlyList<(string Medium, string Address)>> Threepids);
