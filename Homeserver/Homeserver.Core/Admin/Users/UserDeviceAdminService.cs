using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Admin.Users;

/// <summary>An account's devices and sessions as an admin sees and changes them, and a session opened for the user by an admin.</summary>
public sealed class UserDeviceAdminService(AdminTargets targets, DeviceService devices, SessionService sessions, ILogger<UserDeviceAdminService> log)
{
    public async Task<IReadOnlyList<DeviceRecord>> ListAsync(UserId userId, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        return await devices.ListAsync(userId, ct);
    }

    public async Task<DeviceRecord> GetAsync(UserId userId, string deviceId, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        return await devices.GetAsync(userId, deviceId, ct);
    }

    /// <summary>A device with no session yet (Synapse's admin API, for an authentication service that issues the tokens).</summary>
    public async Task CreateAsync(UserId userId, string deviceId, string? displayName, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        await devices.CreateAsync(userId, deviceId, displayName, ct);
    }

    public async Task RenameAsync(UserId userId, string deviceId, string? displayName, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        await devices.RenameAsync(userId, deviceId, displayName, ct);
    }

    /// <summary>Deletes the devices with their sessions and keys; unknown ones are skipped, as in Synapse.</summary>
    public async Task DeleteAsync(UserId userId, IReadOnlyCollection<string> deviceIds, CancellationToken ct)
    {
        await targets.LocalUserAsync(userId, ct);
        await sessions.DeleteDevicesAsync(userId, deviceIds, ct);
    }

    /// <summary>
    /// A new session of the user for an admin acting as them. It opens a device of its own, named so the user can see it
    /// and end it, since every access token here belongs to a device. Not for the admin's own account, as in Synapse.
    /// </summary>
    public async Task<IssuedSession> LoginAsAsync(UserId admin, UserId userId, ClientInfo client, CancellationToken ct)
    {
        if (userId == admin)
            throw MatrixException.InvalidParam("Cannot use admin API to login as self");
        if ((await targets.LocalUserAsync(userId, ct)).IsDeactivated)
            throw new MatrixException(403, ErrorCodes.UserDeactivated, "This account has been deactivated");
        var session = await sessions.StartAsync(userId, null, "Admin login", refreshable: false, client, null, ct);
        log.LogInformation("Admin {Admin} opened a session of {UserId} on device {DeviceId}", admin, userId, session.DeviceId);
        return session;
    }
}
