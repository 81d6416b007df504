using System.Globalization;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// A position in the timeline stream as clients see it: <c>s</c> and the stream ordering. Opaque to clients;
/// the prefix leaves room for richer tokens (topological parts) without breaking old ones. Backfilled events lie at
/// negative positions (below every other), so a token may carry a sign.
/// </summary>
public static class StreamToken
{
    public static string Format(long streamOrdering) => "s" + streamOrdering.ToString(CultureInfo.InvariantCulture);

    public static long Parse(string token) =>
        token.Length > 1 && token[0] == 's' && long.TryParse(token.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw Invalid(token);

    /// <summary>
    /// A pagination bound, exclusive like every stream token's. The spec lets a client page from a <c>/sync</c>
    /// <c>next_batch</c> too (<c>s</c> and each stream's position joined by <c>_</c>, the events stream first): it
    /// stands after the events it has seen, so as an upper bound it is one past its events position and as a lower
    /// bound that position itself.
    /// </summary>
    public static long Bound(string token, bool upper)
    {
        var streams = token.Split('_');
        if (streams.Length == 1)
            return Parse(token);
        if (streams.Skip(1).Any(p => !long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            throw Invalid(token);
        var events = Parse(streams[0]);
        return upper ? events + 1 : events;
    }

    private static MatrixException Invalid(string token) => MatrixException.InvalidParam($"Invalid pagination token '{token}'");
}
