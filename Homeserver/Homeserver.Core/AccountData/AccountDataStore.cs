using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.AccountData;

/// <summary>Per-user key/value JSON (spec "Client Config"), global (<c>room_id</c> empty) or per room, on the account-data stream.</summary>
public sealed class AccountDataStore(Database db, StreamPublisher writer)
{
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
    public Task<long> PutAsync(string userId, string? roomId, string type, string contentJson, CancellationToken ct) =>
        writer.WriteAsync(async st =>
        {
            var streamId = await st.NextAsync(StreamNames.AccountData, ct);
            await st.Connection.RunAsync(Upsert, new { UserId = userId, RoomId = roomId ?? "", Type = type, Content = contentJson, StreamId = streamId }, ct, st.Transaction);
            st.PublishAfterCommit(new StreamUpdate(StreamNames.AccountData, streamId, [userId]));
            return streamId;
        }, ct);

    /// <summary>The user's account data written after <paramref name="after"/> up to <paramref name="upto"/> (room ID empty for global data).</summary>
    public async Task<IReadOnlyList<Entry>> ChangedAsync(string userId, long after, long upto, CancellationToken ct) =>
        upto <= after ? [] : await db.ReadAsync(c => c.ListAsync<Entry>(SelectChanged, new { UserId = userId, After = after, Upto = upto }, ct), ct);


    public Task<string?> GetAsync(string userId, string? roomId, string type, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(Select, new { UserId = userId, RoomId = roomId ?? "", Type = type }, ct), ct);
}
