using System.Data.Common;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;
using Microsoft.Extensions.Logging;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts;

/// <summary>Creates and ends device sessions: login, registration, refresh, logout and device deletion.</summary>
public sealed class SessionService(StreamPublisher writer, IEnumerable<IDeviceDeletionStep> deviceDeletionSteps, AccessTokenIssuer issuer,
    IEnumerable<IDeviceChangeStep> deviceChangeSteps, SessionValidator validator, AuthOptions auth, TimeProvider time, ILogger<SessionService> log)
{
    /// <summary>
    /// Opens a session on <paramref name="deviceId"/> (a new device when null or unknown). Reusing a device ID
    /// revokes the device's earlier tokens, as the spec's login section requires. <paramref name="alsoInTransaction"/>
    /// runs first in the same transaction, so a registration either creates user, device and token together or nothing.
    /// A deactivated account gets no session, whichever of login and deactivation commits first.
    /// </summary>
    public async Task<IssuedSession> StartAsync(UserId userId, string? deviceId, string? displayName, bool refreshable,
        ClientInfo client, Func<DbConnection, DbTransaction, Task>? alsoInTransaction, CancellationToken ct)
    {
        deviceId ??= SecureTokens.DeviceId();
        var user = userId.ToString();
        var (session, refresh, guest) = await writer.WriteAsync(async st =>
        {
            var (c, tx) = (st.Connection, st.Transaction);
            if (alsoInTransaction is not null)
                await alsoInTransaction(c, tx);
            var guest = await EnsureActiveAsync(c, tx, user, ct);
            var revoked = await AccessSessionStore.DeleteForDeviceAsync(c, tx, user, deviceId, ct);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await DeviceStore.UpsertAsync(c, tx, new DeviceRecord
            {
                UserId = user, DeviceId = deviceId, DisplayName = displayName, CreatedTs = now,
                LastSeenTs = now, LastSeenIp = client.Ip, LastSeenUserAgent = client.UserAgent,
            }, ct);
            foreach (var step in deviceChangeSteps)
                await step.OnDeviceChangedAsync(st, userId, deviceId, ct);
            var (session, refresh) = NewSession(user, deviceId, refreshable, now);
            await AccessSessionStore.InsertAsync(c, tx, session, ct);
            if (revoked.Count > 0)
                RevokeOnCommit(st, user, revoked);
            return (session, refresh, guest);
        }, ct);
        return Issue(session, refresh, guest);
    }

    /// <summary>Swaps a refresh token for a new access and refresh token; the old pair stops working.</summary>
    public async Task<IssuedSession> RefreshAsync(string refreshToken, CancellationToken ct)
    {
        var hash = SecureTokens.Sha256Hex(refreshToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var (session, refresh, guest) = await writer.WriteAsync(async st =>
        {
            var (c, tx) = (st.Connection, st.Transaction);
            var old = await AccessSessionStore.GetByRefreshHashAsync(c, tx, hash, ct);
            if (old is null || old.RefreshExpiresTs < now)
                throw MatrixException.UnknownToken("Unknown or expired refresh token", softLogout: false);
            var guest = await EnsureActiveAsync(c, tx, old.UserId, ct);
            // Counted after the user's row is locked: a deactivation or a concurrent refresh of the same token may
            // have deleted the session since it was read, and then this refresh must not mint a successor.
            if (await AccessSessionStore.DeleteAsync(c, tx, old.SessionId, ct) == 0)
                throw MatrixException.UnknownToken("Unknown or expired refresh token", softLogout: false);
            var (session, refresh) = NewSession(old.UserId, old.DeviceId, refreshable: true, now);
            await AccessSessionStore.InsertAsync(c, tx, session, ct);
            RevokeOnCommit(st, old.UserId, [old.SessionId]);
            return (session, refresh, guest);
        }, ct);
        return Issue(session, refresh, guest);
    }

    /// <summary>Deletes devices with every token, key and waiting to-device message they hold.</summary>
    public Task DeleteDevicesAsync(UserId userId, IReadOnlyCollection<string> deviceIds, CancellationToken ct) =>
        DeleteDevicesWhereAsync(userId, (_, _) => Task.FromResult<IEnumerable<string>>(deviceIds), ct);

    /// <summary>
    /// Deletes every device of the user except <paramref name="keepDeviceId"/> (none when null).
    /// <paramref name="alsoInTransaction"/> runs first in the same transaction (deactivation marks the account there).
    /// </summary>
    public Task DeleteAllDevicesAsync(UserId userId, string? keepDeviceId, CancellationToken ct,
        Func<DbConnection, DbTransaction, Task>? alsoInTransaction = null) =>
        DeleteDevicesWhereAsync(userId, async (c, tx) =>
        {
            if (alsoInTransaction is not null)
                await alsoInTransaction(c, tx);
            return (await DeviceStore.ListIdsAsync(c, tx, userId.ToString(), ct)).Where(d => d != keepDeviceId);
        }, ct);

    private async Task DeleteDevicesWhereAsync(UserId userId, Func<DbConnection, DbTransaction, Task<IEnumerable<string>>> select, CancellationToken ct)
    {
        var user = userId.ToString();
        var (deviceIds, revoked) = await writer.WriteAsync(async st =>
        {
            var (c, tx) = (st.Connection, st.Transaction);
            var all = new List<string>();
            var deviceIds = (await select(c, tx)).ToList();
            foreach (var deviceId in deviceIds)
            {
                all.AddRange(await AccessSessionStore.DeleteForDeviceAsync(c, tx, user, deviceId, ct));
                await DeviceStore.DeleteAsync(c, tx, user, deviceId, ct);
            }
            if (deviceIds.Count > 0)
                foreach (var step in deviceDeletionSteps)
                    await step.OnDevicesDeletedAsync(st, userId, deviceIds, ct);
            if (all.Count > 0)
                RevokeOnCommit(st, user, all);
            return (deviceIds, all.Count);
        }, ct);
        if (deviceIds.Count > 0)
            log.LogInformation("Deleted {Count} devices of {UserId} ({DeviceIds}), revoking {Sessions} sessions",
                deviceIds.Count, userId, deviceIds, revoked);
    }

    private void RevokeOnCommit(StreamTransaction st, string userId, IReadOnlyList<string> sessionIds)
    {
        // Revoked before anyone hears of it: a sync woken by the news must find its session gone.
        st.OnCommitted(() => validator.Revoke(sessionIds));
        // Open syncs (long polls, WebSockets) re-check their session when woken, so revocation reaches them at once;
        // other nodes drop the user's sessions from their caches on hearing it.
        st.PublishAfterCommit(new StreamUpdate(StreamNames.Sessions, 0, [userId]));
    }

    /// <summary>Locks the user's row; whether the account is a guest's, which its tokens carry.</summary>
    private static async Task<bool> EnsureActiveAsync(DbConnection c, DbTransaction tx, string userId, CancellationToken ct) =>
        await UserStore.LockIfActiveAsync(c, tx, userId, ct)
            ?? throw new MatrixException(403, ErrorCodes.UserDeactivated, "This account has been deactivated");

    private (AccessSessionRecord Session, string? RefreshToken) NewSession(string userId, string deviceId, bool refreshable, long now)
    {
        string? refresh = refreshable ? "hsr_" + SecureTokens.Secret() : null;
        var session = new AccessSessionRecord
        {
            SessionId = SecureTokens.Secret(18),
            UserId = userId,
            DeviceId = deviceId,
            CreatedTs = now,
            ExpiresTs = refreshable ? now + (long)auth.AccessTokenLifetime.Value.TotalMilliseconds : null,
            RefreshTokenHash = refresh is null ? null : SecureTokens.Sha256Hex(refresh),
            RefreshExpiresTs = refreshable ? now + (long)auth.RefreshTokenLifetime.Value.TotalMilliseconds : null,
        };
        return (session, refresh);
    }

    private IssuedSession Issue(AccessSessionRecord s, string? refresh, bool guest)
    {
        var issued = DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedTs);
        DateTimeOffset? expires = s.ExpiresTs is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null;
        var token = issuer.Create(s.UserId, s.DeviceId, s.SessionId, guest, issued, expires);
        return new IssuedSession(s.UserId, s.DeviceId, token, refresh, s.ExpiresTs - s.CreatedTs);
    }
}
