using Homeserver.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Federation.Events;

/// <summary>Integer query parameters: a missing one is <c>M_MISSING_PARAM</c>, one that is not a non-negative integer <c>M_INVALID_PARAM</c>.</summary>
internal static class QueryInts
{
    public static int Required(IQueryCollection query, string name) =>
        (int)Math.Min(RequiredLong(query, name), int.MaxValue);

    public static long RequiredLong(IQueryCollection query, string name)
    {
        if (query[name] is not [{ } text])
            throw MatrixException.MissingParam($"Missing '{name}'");
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw MatrixException.InvalidParam($"'{name}' must be a non-negative integer");
    }
}
