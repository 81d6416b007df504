using Homeserver.Core.Errors;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// A position in the timeline stream as clients see it: <c>s</c> and the stream ordering. Opaque to clients;
/// the prefix leaves room for richer tokens (topological parts) without breaking old ones.
/// </summary>
public static class StreamToken
{
    public static string Format(long streamOrdering) => "s" + streamOrdering.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static long Parse(string token) =>
        token.Length > 1 && token[0] == 's' && long.TryParse(token.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw MatrixException.InvalidParam($"Invalid pagination token '{token}'");
}
