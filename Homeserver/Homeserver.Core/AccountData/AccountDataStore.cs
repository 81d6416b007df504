using Homeserver.Core.Storage;

namespace Homeserver.Core.AccountData;

/// <summary>Per-user key/value JSON (spec "Client Config"), global (<c>room_id</c> empty) or per room, on the account-data stream.</summary>
public sealed class AccountDataStore(Database db)
{
    public const string StreamName = "account_data";
    private const string Upsert = """
        INSERT INTO account_data (user_id, room_id, data_type, content, stream_id) VALUES (@UserId, @RoomId, @Type, @Content, @StreamId)
        ON CONFLICT (user_id, room_id, data_type) DO UPDATE SET content = excluded.content, stream_id = excluded.stream_id
        """;
    private const string Select = "SELECT content FROM account_data WHERE user_id = @UserId AND room_id = @RoomId AND data_type = @Type";

    /// <summary>Stores the content and returns its stream position.</summary>
    public Task<long> PutAsync(string userId, string? roomId, string type, string contentJson, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var streamId = await StreamIdGenerator.NextAsync(c, tx, StreamName, ct);
            await c.RunAsync(Upsert, new { UserId = userId, RoomId = roomId ?? "", Type = type, Content = contentJson, StreamId = streamId }, ct, tx);
            return streamId;
        }, ct);

    public Task<string?> GetAsync(string userId, string? roomId, string type, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(Select, new { UserId = userId, RoomId = roomId ?? "", Type = type }, ct), ct);
}
