using Homeserver.Core.Accounts;
using Homeserver.Core.Admin.Users;

namespace ClientApi.Admin;

/// <summary>
/// Accounts as Synapse's admin API writes them, nulls included. Synapse's user list gives <c>creation_ts</c> in
/// milliseconds and a single user's in seconds; admin tools tell them apart by length, so both are kept.
/// </summary>
internal static class AdminUserJson
{
    public static Dictionary<string, object?> ListItem(UserRecord u) => new()
    {
        ["name"] = u.UserId,
        ["is_guest"] = u.IsGuest,
        ["admin"] = u.IsAdmin,
        ["user_type"] = u.UserType,
        ["deactivated"] = u.IsDeactivated,
        ["erased"] = u.IsErased,
        ["shadow_banned"] = u.IsShadowBanned,
        ["displayname"] = u.Displayname,
        ["avatar_url"] = u.AvatarUrl,
        ["creation_ts"] = u.CreatedTs,
        ["approved"] = true,
        ["locked"] = false,
        ["suspended"] = u.IsSuspended,
        ["last_seen_ts"] = u.LastActiveTs,
    };

    public static Dictionary<string, object?> Details(UserDetails d)
    {
        var u = d.User;
        return new()
        {
            ["name"] = u.UserId,
            ["displayname"] = u.Displayname,
            ["threepids"] = d.Threepids.Select(t => new Dictionary<string, object?>
            {
                ["medium"] = t.Medium, ["address"] = t.Address, ["added_at"] = t.AddedAt, ["validated_at"] = t.ValidatedAt,
            }),
            ["avatar_url"] = u.AvatarUrl,
            ["is_guest"] = u.IsGuest,
            ["admin"] = u.IsAdmin,
            ["deactivated"] = u.IsDeactivated,
            ["erased"] = u.IsErased,
            ["shadow_banned"] = u.IsShadowBanned,
            ["creation_ts"] = u.CreatedTs / 1000,
            ["last_seen_ts"] = u.LastActiveTs,
            ["appservice_id"] = null,
            ["consent_server_notice_sent"] = null,
            ["consent_version"] = null,
            ["consent_ts"] = null,
            ["external_ids"] = Array.Empty<object>(),
            ["user_type"] = u.UserType,
            ["locked"] = false,
            ["suspended"] = u.IsSuspended,
        };
    }
}
