using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts.Uia;

/// <summary>UIA sessions live in the database so any node can continue a session another node started.</summary>
public sealed class UiaSessionStore(Database db)
{
    private const string Insert = """
        INSERT INTO uia_sessions (session_id, operation_hash, user_id, completed_stages, created_ts)
        VALUES (@SessionId, @OperationHash, @UserId, @CompletedStages, @CreatedTs)
        """;
    private const string DeleteExpired = "DELETE FROM uia_sessions WHERE created_ts < @Before";
    private const string Select = "SELECT * FROM uia_sessions WHERE session_id = @SessionId";
    private const string UpdateStages = "UPDATE uia_sessions SET completed_stages = @CompletedStages WHERE session_id = @SessionId";
    private const string Delete = "DELETE FROM uia_sessions WHERE session_id = @SessionId";
    private const string SelectToken = "SELECT registration_token FROM uia_sessions WHERE session_id = @SessionId";
    private const string UpdateThreepid = "UPDATE uia_sessions SET threepid_session = @Sid WHERE session_id = @SessionId";
    private const string UpdateParams = """
        UPDATE uia_sessions SET client_params = @Params, password_hash = COALESCE(@PasswordHash, password_hash) WHERE session_id = @SessionId
        """;
    private const string UpdateRegistered = "UPDATE uia_sessions SET registered_user_id = @UserId WHERE session_id = @SessionId";
    private const string UpdateSsoUser = "UPDATE uia_sessions SET sso_user_id = @UserId WHERE session_id = @SessionId";
    private const string UpdateToken = "UPDATE uia_sessions SET registration_token = @Token WHERE session_id = @SessionId";

    public Task InsertAsync(UiaSessionRecord s, long expireBefore, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await RegistrationTokenStore.ReleaseExpiredAsync(c, tx, expireBefore, ct);
            await c.RunAsync(DeleteExpired, new { Before = expireBefore }, ct, tx);
            await c.RunAsync(Insert, s, ct, tx);
        }, ct);

    public Task<UiaSessionRecord?> GetAsync(string sessionId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<UiaSessionRecord>(Select, new { SessionId = sessionId }, ct), ct);

    public Task SetCompletedAsync(string sessionId, string completedJson, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdateStages, new { SessionId = sessionId, CompletedStages = completedJson }, ct, tx), ct);

    public Task SetThreepidSessionAsync(string sessionId, string validationSessionId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdateThreepid, new { SessionId = sessionId, Sid = validationSessionId }, ct, tx), ct);

    public Task DeleteAsync(string sessionId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Delete, new { SessionId = sessionId }, ct, tx), ct);

    public Task SetClientParamsAsync(string sessionId, string paramsJson, string? passwordHash, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdateParams, new { SessionId = sessionId, Params = paramsJson, PasswordHash = passwordHash }, ct, tx), ct);

    public Task SetRegisteredUserAsync(string sessionId, string userId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdateRegistered, new { SessionId = sessionId, UserId = userId }, ct, tx), ct);

    public Task SetSsoUserAsync(string sessionId, string userId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdateSsoUser, new { SessionId = sessionId, UserId = userId }, ct, tx), ct);

    /// <summary>The database registration token the session holds a pending use of, if any.</summary>
    public static Task<string?> GetRegistrationTokenAsync(DbConnection c, DbTransaction tx, string sessionId, CancellationToken ct) =>
        c.FirstOrDefaultAsync<string?>(SelectToken, new { SessionId = sessionId }, ct, tx);

    public static Task SetRegistrationTokenAsync(DbConnection c, DbTransaction tx, string sessionId, string token, CancellationToken ct) =>
        c.RunAsync(UpdateToken, new { SessionId = sessionId, Token = token }, ct, tx);
}
