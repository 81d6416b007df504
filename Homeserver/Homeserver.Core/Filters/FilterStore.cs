using Homeserver.Core.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Homeserver.Core.Filters;

/// <summary>
/// Sync filters uploaded by clients, numbered per user. A stored filter never changes and its number is never
/// reused, so found filters are cached: a client names its filter on every sync.
/// </summary>
public sealed class FilterStore(Database db, IMemoryCache cache)
{
    private static readonly MemoryCacheEntryOptions Entry = new() { SlidingExpiration = TimeSpan.FromMinutes(10) };

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

    public async Task<string?> GetAsync(string userId, long filterId, CancellationToken ct)
    {
        if (cache.TryGetValue(("filter", userId, filterId), out string? known))
            return known;
        var json = await db.ReadAsync(c => c.FirstOrDefaultAsync<string>(Select, new { UserId = userId, FilterId = filterId }, ct), ct);
        // A missing filter is not remembered: the number may yet be given to the user's next upload.
        if (json is not null)
            cache.Set(("filter", userId, filterId), json, Entry);
        return json;
    }
}
