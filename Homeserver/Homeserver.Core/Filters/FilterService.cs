using System.Globalization;
using System.Text.Json;
using Homeserver.Core.Errors;
using Homeserver.Core.Sync;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Filters;

/// <summary>Uploading and reading a user's sync filters, and the filter a sync names.</summary>
public sealed class FilterService(FilterStore filters)
{
    /// <summary>Stores a filter whose known fields have the right shapes and returns its number.</summary>
    public Task<long> AddAsync(UserId userId, JsonElement filter, CancellationToken ct)
    {
        SyncFilterShape.Validate(filter);
        return filters.AddAsync(userId.ToString(), filter.GetRawText(), ct);
    }

    /// <summary>The stored filter's JSON; a number that is not one answers as an unknown filter.</summary>
    public async Task<string> GetAsync(UserId userId, string filterId, CancellationToken ct)
    {
        if (!long.TryParse(filterId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw MatrixException.NotFound("Filter not found");
        return await filters.GetAsync(userId.ToString(), id, ct) ?? throw MatrixException.NotFound("Filter not found");
    }

    /// <summary>A sync's <c>filter</c> parameter: inline JSON (as matrix-js-sdk sends first) or a stored filter's ID.</summary>
    public async Task<SyncFilter> ForSyncAsync(UserId userId, string? filter, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(filter))
            return SyncFilter.Default;
        if (filter.TrimStart().StartsWith('{'))
            return SyncFilter.FromJson(filter);
        if (!long.TryParse(filter, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw MatrixException.InvalidParam("filter must be a filter ID or a JSON filter");
        var stored = await filters.GetAsync(userId.ToString(), id, ct) ?? throw MatrixException.NotFound("Unknown filter ID");
        return SyncFilter.FromJson(stored);
    }
}
