using Homeserver.Core.Accounts.Passwords;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Accounts;

/// <summary>Creating, authenticating, changing and deactivating local accounts.</summary>
public sealed class AccountService(Database db, UserStore users, PasswordHasher hasher, PasswordChecker passwords, SessionService sessions, ServerIdentity server, AuthOptions auth, TimeProvider time,
    ILogger<AccountService> log)
{
    public UserId UserIdFor(string localpart) => new(localpart, server.ServerName);

    /// <summary>Throws <c>M_INVALID_USERNAME</c> unless the localpart may be registered here.</summary>
    public void ValidateNewLocalpart(string localpart)
    {
        if (!UserId.IsValidNewLocalpart(localpart))
            throw new MatrixException(400, ErrorCodes.InvalidUsername, "User ID may only contain a-z, 0-9 and ._=-/+");
        if (System.Text.Encoding.UTF8.GetByteCount(UserIdFor(localpart).ToString()) > UserId.MaxLength)
            throw new MatrixException(400, ErrorCodes.InvalidUsername, $"User ID may not be longer than {UserId.MaxLength} characters");
    }

    public void ValidatePassword(string password)
    {
        if (password.Length < auth.PasswordMinLength)
            throw new MatrixException(400, ErrorCodes.WeakPassword, $"Password must be at least {auth.PasswordMinLength} characters");
    }

    public async Task EnsureAvailableAsync(string localpart, CancellationToken ct)
    {
        if (await users.ExistsAsync(UserIdFor(localpart).ToString(), ct))
            throw new MatrixException(400, ErrorCodes.UserInUse, "User ID already taken");
    }

    /// <summary>
    /// Creates the user and, when <paramref name="login"/> is given, its first device session in the same
    /// transaction. The primary key settles a race between two registrations of one name.
    /// </summary>
    /// <param name="registrationToken">The database registration token the registration held a pending use of, completed with the account.</param>
    public Task<(UserId UserId, IssuedSession? Session)> CreateAsync(string localpart, string? password, bool admin, SessionRequest? login, CancellationToken ct,
        string? registrationToken = null) =>
        CreateAsync(localpart, password is null ? null : hasher.Hash(password), admin, guest: false, login, registrationToken, ct);

    /// <summary><see cref="CreateAsync(string, string?, bool, SessionRequest?, CancellationToken, string?)"/> with the password already hashed by <see cref="HashPassword"/>.</summary>
    public Task<(UserId UserId, IssuedSession? Session)> CreateWithPasswordHashAsync(string localpart, string passwordHash, SessionRequest? login,
        string? registrationToken, CancellationToken ct) =>
        CreateAsync(localpart, passwordHash, admin: false, guest: false, login, registrationToken, ct);

    /// <summary>A password's hash as accounts keep it, for a registration that remembers it between its stages.</summary>
    public string HashPassword(string password) => hasher.Hash(password);

    /// <summary>
    /// A new device session for a user a registration created, when the client repeats the completed registration
    /// (its session proves it is the registering client).
    /// </summary>
    public Task<IssuedSession> StartRegisteredSessionAsync(UserId userId, SessionRequest login, CancellationToken ct) =>
        StartSessionAsync(userId, login, ct);

    /// <summary>A guest account under a generated name, with no password, and its first device session.</summary>
    public async Task<IssuedSession> CreateGuestAsync(SessionRequest login, CancellationToken ct) =>
        (await CreateAsync(GeneratedLocalpart(), passwordHash: null, admin: false, guest: true, login, registrationToken: null, ct)).Session!;

    /// <summary>A localpart for an account whose user did not choose one.</summary>
    public static string GeneratedLocalpart() => "u" + SecureTokens.Alphanumeric(10).ToLowerInvariant();

    /// <summary>
    /// Turns the guest account <paramref name="userId"/> into a full one with the password hashed as <paramref name="passwordHash"/>, keeping its
    /// user ID, rooms and devices, and (when <paramref name="login"/> is given) opens a session whose tokens are no
    /// guest's. 400 <c>M_USER_IN_USE</c> when the account is no (longer a) guest's: the name is then simply taken.
    /// </summary>
    public async Task<IssuedSession?> UpgradeGuestAsync(UserId userId, string passwordHash, SessionRequest? login, CancellationToken ct,
        string? registrationToken = null)
    {
        async Task Upgrade(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx)
        {
            if (!await UserStore.UpgradeGuestAsync(c, tx, userId.ToString(), passwordHash, ct))
                throw new MatrixException(400, ErrorCodes.UserInUse, "User ID already taken");
            if (registrationToken is not null)
                await RegistrationTokenStore.CompleteAsync(c, tx, registrationToken, ct);
        }
        var session = await WriteWithSessionAsync(userId, login, Upgrade, ct);
        log.LogInformation("Upgraded guest account {UserId} to a full account", userId);
        return session;
    }

    private async Task<(UserId UserId, IssuedSession? Session)> CreateAsync(string localpart, string? passwordHash, bool admin, bool guest,
        SessionRequest? login, string? registrationToken, CancellationToken ct)
    {
        ValidateNewLocalpart(localpart);
        var userId = UserIdFor(localpart);
        var user = new UserRecord
        {
            UserId = userId.ToString(),
            Localpart = localpart,
            PasswordHash = passwordHash,
            IsAdmin = admin,
            IsGuest = guest,
            Displayname = localpart,
            CreatedTs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        async Task Insert(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx)
        {
            if (!await UserStore.InsertAsync(c, tx, user, ct))
                throw new MatrixException(400, ErrorCodes.UserInUse, "User ID already taken");
            if (registrationToken is not null)
                await RegistrationTokenStore.CompleteAsync(c, tx, registrationToken, ct);
        }
        var session = await WriteWithSessionAsync(userId, login, Insert, ct);
        log.LogInformation("Created account {UserId} (admin: {Admin}, guest: {Guest}, password: {HasPassword})", userId, admin, guest, passwordHash is not null);
        return (userId, session);
    }

    /// <summary>Runs <paramref name="write"/>, and when <paramref name="login"/> is given opens the session in the same transaction.</summary>
    private async Task<IssuedSession?> WriteWithSessionAsync(UserId userId, SessionRequest? login,
        Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Task> write, CancellationToken ct)
    {
        if (login is null)
        {
            await db.WriteAsync(write, ct);
            return null;
        }
        return await sessions.StartAsync(userId, login.DeviceId, login.InitialDeviceDisplayName, login.RefreshToken, login.Client, write, ct);
    }

    /// <summary>
    /// Password login; wrong credentials, unknown users and a name that is no user ID (<paramref name="userId"/> null,
    /// see <see cref="UserIdentifiers.Resolve"/>) get the same answer, so it tells none of them apart.
    /// </summary>
    public async Task<IssuedSession> LoginWithPasswordAsync(UserId? userId, string password, SessionRequest login, CancellationToken ct)
    {
        var (user, failure) = userId is { } id ? await passwords.CheckAsync(id, password, ct) : new PasswordCheck(null, "not a user ID");
        if (user is null)
        {
            log.LogInformation("Login refused for {UserId}: {Reason}", userId, failure);
            // A deactivated account has no password hash, so it lands here too unless we check first.
            if (userId is { } named && await users.GetAsync(named.ToString(), ct) is { IsDeactivated: true })
                throw new MatrixException(403, ErrorCodes.UserDeactivated, "This account has been deactivated");
            throw MatrixException.Forbidden("Invalid username or password");
        }
        return await StartSessionAsync(userId!.Value, login, ct);
    }

    /// <summary>Login of an existing account someone vouched for (a login token from single sign-on); refused for a deactivated one.</summary>
    public async Task<IssuedSession> LoginVouchedAsync(UserId userId, SessionRequest login, CancellationToken ct)
    {
        var user = await users.GetAsync(userId.ToString(), ct) ?? throw MatrixException.Forbidden("Invalid login token");
        if (user.IsDeactivated)
            throw new MatrixException(403, ErrorCodes.UserDeactivated, "This account has been deactivated");
        return await StartSessionAsync(userId, login, ct);
    }

    /// <summary>Login vouched for by a trusted party (JWT): the account is created on first login.</summary>
    public async Task<IssuedSession> LoginTrustedAsync(string localpart, SessionRequest login, CancellationToken ct)
    {
        var userId = UserIdFor(localpart);
        if (!await users.ExistsAsync(userId.ToString(), ct))
        {
            try
            {
                return (await CreateAsync(localpart, null, admin: false, login, ct)).Session!;
            }
            catch (MatrixException e) when (e.Errcode == ErrorCodes.UserInUse)
            {
                // A concurrent first login created the account; this one opens a session on it.
            }
        }
        return await StartSessionAsync(userId, login, ct);
    }

    /// <summary>Throws 403 unless the user is a server admin (Synapse's admin API).</summary>
    public async Task EnsureAdminAsync(UserId userId, CancellationToken ct)
    {
        if (await users.GetAsync(userId.ToString(), ct) is not { IsAdmin: true })
            throw MatrixException.Forbidden("You are not a server admin");
    }

    public Task ChangePasswordAsync(UserId userId, string newPassword, bool logoutDevices, string? keepDeviceId, CancellationToken ct)
    {
        ValidatePassword(newPassword);
        return SetPasswordAsync(userId, newPassword, logoutDevices, keepDeviceId, ct);
    }

    /// <summary>Sets the password without the policy's checks, as an admin may (Synapse's admin API does the same).</summary>
    public async Task SetPasswordAsync(UserId userId, string newPassword, bool logoutDevices, string? keepDeviceId, CancellationToken ct)
    {
        await users.SetPasswordHashAsync(userId.ToString(), hasher.Hash(newPassword), ct);
        log.LogInformation("Changed the password of {UserId} (other devices logged out: {LogoutDevices})", userId, logoutDevices);
        if (logoutDevices)
            await sessions.DeleteAllDevicesAsync(userId, keepDeviceId, ct);
    }

    /// <summary>
    /// Deactivation keeps the ID reserved and removes the password, profile, third-party IDs and every device; with
    /// <paramref name="erase"/> the account is marked erased too. The account is marked first and the devices deleted
    /// in the same transaction, so a login or refresh committed before it loses its session here, and one committed after
    /// finds the account deactivated (<see cref="SessionService.StartAsync"/>). Leaving rooms and removing pushers is the
    /// caller's (<c>Admin.Users.UserDeactivationService</c>), which sits above rooms and push.
    /// </summary>
    public async Task DeactivateAsync(UserId userId, bool erase, CancellationToken ct)
    {
        await sessions.DeleteAllDevicesAsync(userId, keepDeviceId: null, ct, async (c, tx) =>
        {
            await UserStore.DeactivateAsync(c, tx, userId.ToString(), erase, ct);
            await ThreepidStore.DeleteAllAsync(c, tx, userId.ToString(), ct);
        });
        log.LogInformation("Deactivated {UserId} (erased: {Erase})", userId, erase);
    }

    private Task<IssuedSession> StartSessionAsync(UserId userId, SessionRequest login, CancellationToken ct) =>
        sessions.StartAsync(userId, login.DeviceId, login.InitialDeviceDisplayName, login.RefreshToken, login.Client, null, ct);
}
