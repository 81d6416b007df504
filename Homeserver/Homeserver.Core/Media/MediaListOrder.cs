using Homeserver.Core.Errors;

namespace Homeserver.Core.Media;

/// <summary>
/// An admin list's page and order (Synapse's <c>from</c>, <c>limit</c>, <c>order_by</c>, <c>dir</c>): an offset page
/// sorted by one of the list's columns, ties broken by its key so pages never overlap.
/// </summary>
public sealed record MediaListOrder(int From, int Limit, string Column, bool Backwards)
{
    /// <summary>
    /// The order for <paramref name="orderBy"/> among <paramref name="columns"/> (Synapse's names to our columns);
    /// 400 <c>M_INVALID_PARAM</c> for a name not among them or a direction other than <c>f</c> and <c>b</c>.
    /// </summary>
    public static MediaListOrder Parse(int from, int limit, string? orderBy, string? dir, IReadOnlyDictionary<string, string> columns, string defaultOrder,
        bool defaultBackwards = false)
    {
        if (from < 0)
            throw MatrixException.InvalidParam("Query parameter from must be a string representing a positive integer.");
        if (limit < 0)
            throw MatrixException.InvalidParam("Query parameter limit must be a string representing a positive integer.");
        if (dir is not (null or "f" or "b"))
            throw MatrixException.InvalidParam("Unknown direction: " + dir);
        var name = orderBy ?? defaultOrder;
        if (!columns.TryGetValue(name, out var column))
            throw MatrixException.InvalidParam("Unknown value for order_by: " + name);
        return new MediaListOrder(from, limit, column, dir is null ? orderBy is null && defaultBackwards : dir == "b");
    }

    public string Sql(string tieBreaker) => $"ORDER BY {Column} {(Backwards ? "DESC" : "ASC")}, {tieBreaker} ASC LIMIT @Limit OFFSET @From";

    /// <summary>Synapse's <c>next_token</c>: the offset of the next page, only when there is one.</summary>
    public int? NextToken(int pageCount, long total) => From + Limit < total ? From + pageCount : null;
}
