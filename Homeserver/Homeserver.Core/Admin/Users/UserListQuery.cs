namespace Homeserver.Core.Admin.Users;

/// <summary>
/// A page of Synapse's user list (<c>GET /_synapse/admin/v2/users</c> and <c>v3</c>). A null filter does not filter:
/// <paramref name="Admins"/> and <paramref name="Deactivated"/> keep only (true) or leave out (false) those users.
/// <paramref name="NotUserTypes"/> leaves out users of those types, the empty string naming users with none.
/// </summary>
public sealed record UserListQuery(
    int From,
    int Limit,
    string? UserIdContains,
    string? Name,
    bool Guests,
    bool? Admins,
    bool? Deactivated,
    IReadOnlyList<string> NotUserTypes,
    string OrderBy,
    bool Backwards)
{
    /// <summary>Synapse's sort keys and the columns they sort by.</summary>
    public static readonly IReadOnlyDictionary<string, string> OrderColumns = new Dictionary<string, string>
    {
        ["name"] = "user_id",
        ["displayname"] = "displayname",
        ["is_guest"] = "is_guest",
        ["admin"] = "is_admin",
        ["deactivated"] = "is_deactivated",
        ["user_type"] = "user_type",
        ["avatar_url"] = "avatar_url",
        ["shadow_banned"] = "is_shadow_banned",
        ["creation_ts"] = "created_ts",
        ["last_seen_ts"] = "last_active_ts",
        // No account is ever locked here, so this key sorts by name alone.
        ["locked"] = "user_id",
    };
}
