using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Rooms.Spaces;

/// <summary>
/// A hierarchy <c>next_batch</c>: how many rooms of the walk earlier pages gave, and a digest of what the walk was
/// (requester, root, <c>suggested_only</c>, <c>max_depth</c>), so a token is refused for any other walk as Synapse
/// refuses one. Nothing is kept on the server: the next page walks the tree again and skips what was given, which
/// keeps tokens valid on every node; remote answers are cached, so the walk again costs local reads.
/// </summary>
public sealed record SpaceHierarchyToken(int Given, string Walk)
{
    private const string Unknown = "Unknown pagination token";

    public static string WalkOf(string userId, string roomId, bool suggestedOnly, int? maxDepth)
    {
        var text = string.Join('\n', userId, roomId, suggestedOnly ? "1" : "0", maxDepth?.ToString(CultureInfo.InvariantCulture) ?? "-");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..24];
    }

    public string Format() => Given.ToString(CultureInfo.InvariantCulture) + "_" + Walk;

    /// <summary>The rooms given before; a token that is malformed or of another walk is 400 <c>M_INVALID_PARAM</c>.</summary>
    public static int GivenBefore(string token, string walk)
    {
        var parts = token.Split('_');
        if (parts is not [var given, var of] || of != walk
            || !int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            throw MatrixException.InvalidParam(Unknown);
        return n;
    }
}
