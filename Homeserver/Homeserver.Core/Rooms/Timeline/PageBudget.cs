namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// The most stored event JSON one page of events carries, whatever its <c>limit</c>: a thousand events of 64 KiB
/// are 64 MB, several times that while answered, so a page stops early and its token continues from there
/// (the spec's <c>limit</c> is a maximum).
/// </summary>
public static class PageBudget
{
    public const int MaxBytes = 4 << 20;

    /// <summary>The leading rows whose stored JSON fits <see cref="MaxBytes"/>; at least one, so paging always advances.</summary>
    public static IReadOnlyList<EventRow> Fit(IReadOnlyList<EventRow> rows)
    {
        long total = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            total += rows[i].StoredLength;
            if (total > MaxBytes && i > 0)
                return rows.Take(i).ToList();
        }
        return rows;
    }

    /// <summary>
    /// The token after <paramref name="kept"/>: null only when the store had no more than these (<paramref name="fetched"/>
    /// fell short of <paramref name="limit"/> and nothing was cut).
    /// </summary>
    public static string? NextToken(IReadOnlyList<EventRow> fetched, IReadOnlyList<EventRow> kept, int limit) =>
        kept.Count < fetched.Count || fetched.Count >= limit ? StreamToken.Format(kept[^1].StreamOrdering) : null;
}
