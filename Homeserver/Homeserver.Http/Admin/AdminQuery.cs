using System.Globalization;
using Homeserver.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Homeserver.Http.Admin;

/// <summary>
/// Query parameters of Synapse's admin API as Synapse parses them: a malformed value, and a negative offset or
/// limit, is 400 <c>M_INVALID_PARAM</c>; parameters an endpoint does not know are ignored, since admin tools send their
/// filters to every list.
/// </summary>
public static class AdminQuery
{
    public static int Int(HttpContext ctx, string name, int fallback) =>
        ctx.Request.Query[name].LastOrDefault() is not { } text ? fallback
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw MatrixException.InvalidParam($"Query parameter '{name}' must be an integer");

    /// <summary>The page's offset (<c>from</c>) and size (<c>limit</c>), neither negative.</summary>
    public static (int From, int Limit) Page(HttpContext ctx, int defaultLimit = 100)
    {
        var from = Int(ctx, "from", 0);
        var limit = Int(ctx, "limit", defaultLimit);
        if (from < 0)
            throw MatrixException.InvalidParam("Query parameter from must be a string representing a positive integer.");
        if (limit < 0)
            throw MatrixException.InvalidParam("Query parameter limit must be a string representing a positive integer.");
        return (from, limit);
    }

    /// <summary><c>true</c> or <c>false</c>; null when absent.</summary>
    public static bool? Bool(HttpContext ctx, string name) =>
        ctx.Request.Query[name].LastOrDefault() switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => throw MatrixException.InvalidParam($"Boolean query parameter '{name}' must be one of ['true', 'false']"),
        };

    public static string? String(HttpContext ctx, string name) => ctx.Request.Query[name].LastOrDefault();

    /// <summary>One of <paramref name="allowed"/>, or <paramref name="fallback"/> when absent.</summary>
    public static string OneOf(HttpContext ctx, string name, string fallback, IEnumerable<string> allowed)
    {
        var value = String(ctx, name) ?? fallback;
        return allowed.Contains(value)
            ? value
            : throw MatrixException.InvalidParam($"Query parameter '{name}' must be one of [{string.Join(", ", allowed.Select(a => $"'{a}'"))}]");
    }

    /// <summary>Whether <c>dir</c> asks for backwards order (<c>b</c>); <c>f</c> is forwards.</summary>
    public static bool Backwards(HttpContext ctx, string fallback = "f") => OneOf(ctx, "dir", fallback, ["f", "b"]) == "b";

    /// <summary>The ID of a report in a path: a malformed one is 400 <c>M_INVALID_PARAM</c>, as Synapse answers.</summary>
    public static long ReportId(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw MatrixException.InvalidParam("The report_id parameter must be a string representing a positive integer.");

    /// <summary>
    /// Synapse's paging fields: <c>next_token</c> (the offset of the next page) only while more remain. Lists of users and
    /// destinations give it as a string, others as a number.
    /// </summary>
    public static object? NextToken(int from, int count, long total, bool asString) =>
        from + count < total ? asString ? (from + count).ToString(CultureInfo.InvariantCulture) : from + count : null;
}
