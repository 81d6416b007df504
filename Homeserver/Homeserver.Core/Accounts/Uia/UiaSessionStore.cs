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

    public Task InsertAsync(UiaSessionRecord s, long expireBefore, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync(DeleteExpired, new { Before = expireBefore }, ct, tx);
            await c.RunAsync(Insert, s, ct, tx);
        }, ct);

    public Task<UiaSessionRecord?> GetAsync(string sessionId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<UiaSessionRecord>(Select, new { SessionId = sessionId }, ct), ct);

    public Task SetCompletedAsync(string sessionId, string completedJson, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdateStages, new { SessionId = sessionId, CompletedStages = completedJson }, ct, tx), ct);

    public Task DeleteAsync(string sessionId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Delete, new { SessionId = sessionId }, ct, tx), ct);
}
