using System.Text.Json;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Admin;

/// <summary>
/// The room deletions admins asked for (<c>room_delete_tasks</c>): each row is the task and its status, so a deletion
/// resumes after a restart and its status outlives it, as Synapse's scheduled tasks do.
/// </summary>
public sealed class RoomDeletionTaskStore(Database db, TimeProvider time)
{
    private sealed class Row
    {
        public string DeleteId { get; set; } = "";
        public string RoomId { get; set; } = "";
        public string Status { get; set; } = "";
        public string Request { get; set; } = "";
        public string? Result { get; set; }
        public string? Error { get; set; }
    }

    private sealed record StoredRequest(string Requester, string? NewRoomUserId, string? RoomName, string? Message, bool Block, bool Purge, bool ForcePurge);

    private sealed record StoredResult(string[] KickedUsers, string[] FailedToKickUsers, string[] LocalAliases, string? NewRoomId);

    private const string Columns = "delete_id AS DeleteId, room_id AS RoomId, status AS Status, request AS Request, result AS Result, error AS Error";
    private const string Insert = """
        INSERT INTO room_delete_tasks (delete_id, room_id, status, request, created_ts, updated_ts) VALUES (@DeleteId, @RoomId, @Status, @Request, @Ts, @Ts)
        """;
    private const string SelectOne = $"SELECT {Columns} FROM room_delete_tasks WHERE delete_id = @DeleteId";
    private const string SelectOfRoom = $"SELECT {Columns} FROM room_delete_tasks WHERE room_id = @RoomId ORDER BY created_ts, delete_id";
    private const string SelectUnfinished = $"SELECT {Columns} FROM room_delete_tasks WHERE status IN ('scheduled', 'active') ORDER BY created_ts, delete_id";
    private const string CountUnfinishedOfRoom = "SELECT COUNT(*) FROM room_delete_tasks WHERE room_id = @RoomId AND status IN ('scheduled', 'active')";
    private const string Update = """
        UPDATE room_delete_tasks SET status = @Status, result = @Result, error = @Error, updated_ts = @Ts WHERE delete_id = @DeleteId
        """;

    public sealed record Pending(RoomDeletionTask Task, RoomDeletionRequest Request);

    public Task AddAsync(string deleteId, RoomId roomId, RoomDeletionRequest request, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Insert, new
        {
            DeleteId = deleteId,
            RoomId = roomId.ToString(),
            Status = RoomDeletionTask.Scheduled,
            Request = JsonSerializer.Serialize(new StoredRequest(request.Requester.ToString(), request.NewRoomUserId?.ToString(), request.RoomName,
                request.Message, request.Block, request.Purge, request.ForcePurge)),
            Ts = Now(),
        }, ct, tx), ct);

    public async Task<RoomDeletionTask?> GetAsync(string deleteId, CancellationToken ct) =>
        await db.ReadAsync(c => c.FirstOrDefaultAsync<Row>(SelectOne, new { DeleteId = deleteId }, ct), ct) is { } row ? ToTask(row) : null;

    public async Task<IReadOnlyList<RoomDeletionTask>> OfRoomAsync(RoomId roomId, CancellationToken ct) =>
        (await db.ReadAsync(c => c.ListAsync<Row>(SelectOfRoom, new { RoomId = roomId.ToString() }, ct), ct)).Select(ToTask).ToList();

    public async Task<bool> HasUnfinishedAsync(RoomId roomId, CancellationToken ct) =>
        await db.ReadAsync(c => c.ScalarAsync<long>(CountUnfinishedOfRoom, new { RoomId = roomId.ToString() }, ct), ct) > 0;

    /// <summary>Deletions not finished yet, oldest first, with what was asked of them.</summary>
    public async Task<IReadOnlyList<Pending>> UnfinishedAsync(CancellationToken ct) =>
        (await db.ReadAsync(c => c.ListAsync<Row>(SelectUnfinished, null, ct), ct)).Select(r =>
        {
            var q = JsonSerializer.Deserialize<StoredRequest>(r.Request)!;
            var request = new RoomDeletionRequest(UserId.Parse(q.Requester), q.NewRoomUserId is null ? null : UserId.Parse(q.NewRoomUserId), q.RoomName,
                q.Message, q.Block, q.Purge, q.ForcePurge);
            return new Pending(ToTask(r), request);
        }).ToList();

    public Task SetAsync(string deleteId, string status, RoomShutdownResult result, string? error, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Update, new
        {
            DeleteId = deleteId,
            Status = status,
            Result = JsonSerializer.Serialize(new StoredResult([.. result.KickedUsers], [.. result.FailedToKickUsers], [.. result.LocalAliases], result.NewRoomId)),
            Error = error,
            Ts = Now(),
        }, ct, tx), ct);

    private static RoomDeletionTask ToTask(Row row)
    {
        var result = row.Result is null
            ? RoomShutdownResult.Empty
            : JsonSerializer.Deserialize<StoredResult>(row.Result) is { } r
                ? new RoomShutdownResult(r.KickedUsers, r.FailedToKickUsers, r.LocalAliases, r.NewRoomId)
                : RoomShutdownResult.Empty;
        return new RoomDeletionTask(row.DeleteId, row.RoomId, row.Status, result, row.Error);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
