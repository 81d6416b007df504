using Homeserver.Core.Storage;

namespace Homeserver.Core.Filters;

/// <summary>Sync filters uploaded by clients, numbered per user.</summary>
public sealed class FilterStore(Database db)
{
    private const string NextId = "SELECT COALESCE(MAX(filter_id), -1) + 1 FROM user_filters WHERE user_id = @UserId";
    private const string Insert = "INSERT INTO user_filters (user_id, filter_id, filter_json) VALUES (@UserId, @FilterId, @Json)";
    private const string Select = "SELECT filter_json FROM user_filters WHERE user_id = @UserId AND filter_id = @FilterId";

    public Task<long> AddAsync(string userId, string filterJson, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var id = await c.ScalarAsync<long>(NextId, new { UserId = userId }, ct, tx);
            await c.RunAsync(Insert, new { UserId = userId, FilterId = id, Json = filterJson }, ct, tx);
            return id;
        }, ct);

    public Task<string?> GetAsync(string userId, long filterId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(Select, new { UserId = userId, FilterId = filterId }, ct), ct);
}
