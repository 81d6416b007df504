using Homeserver.Core.Storage;

namespace Homeserver.Core.Accounts.Threepids;

/// <summary>Validation sessions of third-party IDs, in the database so that any node can check a token another node mailed.</summary>
public sealed class ValidationSessionStore(Database db)
{
    private const string Insert = """
        INSERT INTO threepid_validation_sessions (session_id, medium, address, client_secret, token_hash, send_attempt, created_ts)
        VALUES (@SessionId, @Medium, @Address, @ClientSecret, @TokenHash, @SendAttempt, @CreatedTs)
        """;
    private const string DeleteExpired = "DELETE FROM threepid_validation_sessions WHERE created_ts < @Before";
    private const string Select = "SELECT * FROM threepid_validation_sessions WHERE session_id = @SessionId";
    private const string SelectLatest = """
        SELECT * FROM threepid_validation_sessions WHERE client_secret = @ClientSecret AND medium = @Medium AND address = @Address
        ORDER BY created_ts DESC LIMIT 1
        """;
    private const string Validate = "UPDATE threepid_validation_sessions SET validated_ts = @Now WHERE session_id = @SessionId AND validated_ts IS NULL";
    private const string Fail = "UPDATE threepid_validation_sessions SET failed_attempts = failed_attempts + 1 WHERE session_id = @SessionId";
    private const string Delete = "DELETE FROM threepid_validation_sessions WHERE session_id = @SessionId";

    public Task InsertAsync(ValidationSessionRecord s, long expireBefore, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync(DeleteExpired, new { Before = expireBefore }, ct, tx);
            await c.RunAsync(Insert, s, ct, tx);
        }, ct);

    public Task<ValidationSessionRecord?> GetAsync(string sessionId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<ValidationSessionRecord>(Select, new { SessionId = sessionId }, ct), ct);

    /// <summary>The newest session a client started for the address with this secret, to answer a repeated request with it.</summary>
    public Task<ValidationSessionRecord?> GetLatestAsync(string clientSecret, string medium, string address, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<ValidationSessionRecord>(SelectLatest, new { ClientSecret = clientSecret, Medium = medium, Address = address }, ct), ct);

    public Task MarkValidatedAsync(string sessionId, long now, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Validate, new { SessionId = sessionId, Now = now }, ct, tx), ct);

    public Task CountFailureAsync(string sessionId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Fail, new { SessionId = sessionId }, ct, tx), ct);

    public Task DeleteAsync(string sessionId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Delete, new { SessionId = sessionId }, ct, tx), ct);

    /// <summary>Deletes the session; false when it was gone already (another request spent it first).</summary>
    public async Task<bool> TryDeleteAsync(string sessionId, CancellationToken ct) =>
        await db.WriteAsync<int>((c, tx) => c.RunAsync(Delete, new { SessionId = sessionId }, ct, tx), ct) == 1;
}
