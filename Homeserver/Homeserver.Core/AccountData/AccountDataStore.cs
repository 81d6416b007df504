using Homeserver.Core.Storage;

namespace Homeserver.Core.AccountData;

/// <summary>Per-user key/value JSON (spec "Client Config"), global (<c>room_id</c> empty) or per room, on the account-data stream.</summary>
public sealed class AccountDataStore(Database db, Sync.SyncNotifier notifier)
{
    public const string StreamName = "account_data";
    private const string Upsert = """
        INSERT INTO account_data (user_id, room_id, data_type, content, stream_id) VALUES (@UserId, @RoomId, @Type, @Content, @StreamId)
        ON CONFLICT (user_id, room_id, data_type) DO UPDATE SET content = excluded.content, stream_id = excluded.stream_id
        """;
    private const string Select = "SELECT content FROM account_data WHERE user_id = @UserId AND room_id = @RoomId AND data_type = @Type";
    private const string SelectChanged = """
        SELECT room_id, data_type, content, stream_id FROM account_data
        WHERE user_id = @UserId AND stream_id > @After AND stream_id <= @Upto ORDER BY stream_id
        """;
    public sealed class Entry
    {
        public string RoomId { get; set; } = "";
        public string DataType { get; set; } = "";
        public string Content { get; set; } = "";
        public long StreamId { get; set; }
    }

    /// <summary>Stores the content and returns its stream position.</summary>
    public async Task<long> PutAsync(string userId, string? roomId, string type, string contentJson, CancellationToken ct)
    {
        var streamId = await db.WriteAsync(async (c, tx) =>
        {
            var streamId = await StreamIdGenerator.NextAsync(c, tx, StreamName, ct);
            await c.RunAsync(Upsert, new { UserId = userId, RoomId = roomId ?? "", Type = type, Content = contentJson, StreamId = streamId }, ct, tx);
            return streamId;
        }, ct);
        notifier.Notify([userId]);
        return streamId;
    }

    /// <summary>The user's account data written after <paramref name="after"/> up to <paramref name="upto"/> (room ID empty for global data).</summary>
    public async Task<IReadOnlyList<Entry>> ChangedAsync(string userId, long after, long upto, CancellationToken ct) =>
        upto <= after ? [] : await db.ReadAsync(c => c.ListAsync<Entry>(SelectChanged, new { UserId = userId, After = after, Upto = upto }, ct), ct);


    public Task<string?> GetAsync(string userId, string? roomId, string type, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(Select, new { UserId = userId, RoomId = roomId ?? "", Type = type }, ct), ct);
}
