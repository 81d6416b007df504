using System.Globalization;
using Homeserver.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace ClientApi.Admin;

/// <summary>
/// The paging parameters of Synapse's admin lists: <c>from</c> (an offset, default 0), <c>limit</c> (default 100) and
/// <c>dir</c> (<c>f</c> or <c>b</c>); a negative or malformed value is 400 <c>M_INVALID_PARAM</c>, as Synapse answers.
/// The admin UIs send every filter to every list, so parameters a list does not know are ignored.
/// </summary>
public sealed record AdminListQuery(int From, int Limit, bool Backwards)
{
    public const int DefaultLimit = 100;

    public static AdminListQuery Parse(HttpRequest request, bool backwardsByDefault = false, int defaultLimit = DefaultLimit) =>
        new(NonNegative(request, "from", 0), NonNegative(request, "limit", defaultLimit), Direction(request, backwardsByDefault));

    public static int NonNegative(HttpRequest request, string name, int fallback)
    {
        string? text = request.Query[name];
        if (string.IsNullOrEmpty(text))
            return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw MatrixException.InvalidParam($"Query parameter {name} must be a non-negative integer");
    }

    private static bool Direction(HttpRequest request, bool fallback) => (string?)request.Query["dir"] switch
    {
        null or "" => fallback,
        "f" => false,
        "b" => true,
        var other => throw MatrixException.InvalidParam($"Unknown direction: {other}"),
    };

    /// <summary>The ID of a report in a path, 400 <c>M_INVALID_PARAM</c> when it is not a positive integer, as Synapse answers.</summary>
    public static long ReportId(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw MatrixException.InvalidParam("The report_id parameter must be a string representing a positive integer.");

    /// <summary>Where the next page starts, when there is one: <c>from</c> plus the page's length.</summary>
    public long? NextToken(int pageCount, long total) => From + pageCount < total ? From + pageCount : null;
}
