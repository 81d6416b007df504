using Homeserver.Core.Accounts;
using Homeserver.Core.AppServices;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.RateLimiting;
using Homeserver.Core.Streams;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Admin.Users;

/// <summary>Synapse's admin API for accounts: list, show, create and edit, deactivate, passwords, shadow bans and suspensions.</summary>
public sealed class UserAdminService(AdminTargets targets, AdminUserStore adminUsers, UserStore users, ThreepidStore threepids, AccountService accounts,
    ProfileService profiles, UserDeactivationService deactivation, AppServiceRegistry appServices, RateLimitOverrides rateLimits, StreamPublisher publisher, TimeProvider time, ILogger<UserAdminService> log)
{
    /// <summary>Synapse's limit on a password an admin sets.</summary>
    public const int MaxPasswordLength = 512;
    /// <summary>Synapse's built-in user types; no others are configured here.</summary>
    public static readonly IReadOnlyList<string> UserTypes = ["bot", "support"];
    private static readonly IReadOnlyList<string> Media = ["email", "msisdn"];

    public Task<UserPage> ListAsync(UserListQuery query, CancellationToken ct) => adminUsers.ListAsync(query, ct);

    public async Task<UserDetails> GetAsync(UserId userId, CancellationToken ct) =>
        new(await targets.LocalUserAsync(userId, ct), await threepids.ListAsync(userId.ToString(), ct));

    /// <summary>Creates the account (true) or changes what the edit sets of an existing one (false).</summary>
    public async Task<(UserDetails User, bool Created)> PutAsync(UserId admin, UserId userId, UserEdit edit, CancellationToken ct)
    {
        targets.EnsureLocal(userId);
        Validate(edit);
        var existing = await users.GetAsync(userId.ToString(), ct);
        if (existing is null)
        {
            await accounts.CreateAsync(userId.Localpart, edit.Password.IsSet ? edit.Password.Value : null, edit.Admin is { IsSet: true, Value: true }, login: null, ct);
            await ApplyProfileAsync(userId, edit, ct);
            await ApplyFlagsAsync(userId, edit, ct);
            log.LogInformation("Admin {Admin} created {UserId}", admin, userId);
            return (await GetAsync(userId, ct), true);
        }
        if (edit.Admin is { IsSet: true, Value: false } && userId == admin)
            throw MatrixException.InvalidParam("You may not demote yourself.");
        if (edit.Deactivated is { IsSet: true, Value: false } && existing.IsDeactivated)
        {
            if (!edit.Password.IsSet && existing.PasswordHash is null)
                throw MatrixException.InvalidParam("Must provide a password to re-activate an account.");
            await adminUsers.ReactivateAsync(userId.ToString(), ct);
            log.LogInformation("Admin {Admin} reactivated {UserId}", admin, userId);
        }
        if (edit.Admin.IsSet)
            await adminUsers.SetAdminAsync(userId.ToString(), edit.Admin.Value, ct);
        await ApplyFlagsAsync(userId, edit, ct);
        if (edit.Password.IsSet)
            await accounts.SetPasswordAsync(userId, edit.Password.Value, edit.LogoutDevices, keepDeviceId: null, ct);
        await ApplyProfileAsync(userId, edit, ct);
        if (edit.Deactivated is { IsSet: true, Value: true } && !existing.IsDeactivated)
            await deactivation.DeactivateAsync(userId, erase: false, ct);
        return (await GetAsync(userId, ct), false);
    }

    public async Task DeactivateAsync(UserId admin, UserId userId, bool erase, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        await deactivation.DeactivateAsync(userId, erase, ct);
        log.LogInformation("Admin {Admin} deactivated {UserId} (erase: {Erase})", admin, userId, erase);
    }

    public async Task ResetPasswordAsync(UserId userId, string newPassword, bool logoutDevices, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        if (newPassword.Length > MaxPasswordLength)
            throw MatrixException.InvalidParam($"Invalid password: longer than {MaxPasswordLength} characters");
        await accounts.SetPasswordAsync(userId, newPassword, logoutDevices, keepDeviceId: null, ct);
    }

    public async Task SetShadowBannedAsync(UserId userId, bool banned, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        await adminUsers.SetShadowBannedAsync(userId.ToString(), banned, ct);
        log.LogInformation("{UserId} shadow-banned: {Banned}", userId, banned);
    }

    public async Task SetSuspendedAsync(UserId userId, bool suspended, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        await adminUsers.SetSuspendedAsync(userId.ToString(), suspended, ct);
        log.LogInformation("{UserId} suspended: {Suspended}", userId, suspended);
    }

    public async Task<RateLimitOverride?> GetRateLimitAsync(UserId userId, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        return rateLimits.Get(userId.ToString());
    }

    /// <summary>The user's own rate for every per-account limit; 0 actions a second lifts them.</summary>
    public async Task<RateLimitOverride> SetRateLimitAsync(UserId userId, long messagesPerSecond, long burstCount, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        if (messagesPerSecond < 0)
            throw MatrixException.InvalidParam("messages_per_second must be a positive integer");
        if (burstCount < 0)
            throw MatrixException.InvalidParam("burst_count must be a positive integer");
        var value = new RateLimitOverride(messagesPerSecond, burstCount);
        await publisher.WriteAsync(st => rateLimits.SetAsync(st, userId.ToString(), value, ct), ct);
        log.LogInformation("Rate limits of {UserId} overridden: {PerSecond}/s, burst {Burst}", userId, messagesPerSecond, burstCount);
        return value;
    }

    public async Task DeleteRateLimitAsync(UserId userId, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        await publisher.WriteAsync(st => rateLimits.DeleteAsync(st, userId.ToString(), ct), ct);
    }

    /// <summary>Throws as registration would (<c>M_INVALID_USERNAME</c>, <c>M_USER_IN_USE</c>, <c>M_EXCLUSIVE</c>) unless the name is free.</summary>
    public async Task EnsureUsernameAvailableAsync(string localpart, CancellationToken ct)
    {
        accounts.ValidateNewLocalpart(localpart);
        appServices.EnsureMayRegister(accounts.UserIdFor(localpart), by: null);
        await accounts.EnsureAvailableAsync(localpart, ct);
    }

    private static void Validate(UserEdit edit)
    {
        if (edit.Password is { IsSet: true, Value.Length: > MaxPasswordLength })
            throw MatrixException.InvalidParam($"Invalid password: longer than {MaxPasswordLength} characters");
        if (edit.UserType is { IsSet: true, Value: { } type } && !UserTypes.Contains(type))
            throw MatrixException.InvalidParam("Invalid user type");
        if (edit.Threepids.IsSet && edit.Threepids.Value.Any(t => !Media.Contains(t.Medium) || t.Address.Length == 0))
            throw MatrixException.InvalidParam("A threepid's medium must be email or msisdn, with an address");
    }

    private async Task ApplyFlagsAsync(UserId userId, UserEdit edit, CancellationToken ct)
    {
        if (edit.UserType.IsSet)
            await adminUsers.SetUserTypeAsync(userId.ToString(), edit.UserType.Value, ct);
        if (edit.Threepids.IsSet)
            await threepids.ReplaceAsync(userId.ToString(), edit.Threepids.Value, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
    }

    private async Task ApplyProfileAsync(UserId userId, UserEdit edit, CancellationToken ct)
    {
        if (edit.Displayname.IsSet)
            await profiles.SetFieldAsync(userId, ProfileService.Displayname, edit.Displayname.Value is "" ? null : edit.Displayname.Value, ct);
        if (edit.AvatarUrl.IsSet)
            await profiles.SetFieldAsync(userId, ProfileService.AvatarUrl, edit.AvatarUrl.Value is "" ? null : edit.AvatarUrl.Value, ct);
    }
}
