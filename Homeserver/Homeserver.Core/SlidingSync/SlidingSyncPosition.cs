using System.Globalization;
using Homeserver.Core.Errors;
using Homeserver.Core.Sync;

namespace Homeserver.Core.SlidingSync;

/// <summary>
/// A <c>pos</c>: the connection's stored position (what it had sent of each room) and the stream positions the response
/// covered, as <c>{position}/{sync token}</c>. Rooms sent live are complete up to the token, so a position row is
/// only written when what the connection had sent changed, not on every response.
/// </summary>
public readonly record struct SlidingSyncPosition(long PositionId, SyncToken Token)
{
    public override string ToString() => PositionId.ToString(CultureInfo.InvariantCulture) + "/" + Token;

    /// <summary>Anything this server did not hand out is unknown, so the client starts a new connection.</summary>
    public static SlidingSyncPosition Parse(string pos)
    {
        var slash = pos.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && long.TryParse(pos.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            try
            {
                return new SlidingSyncPosition(id, SyncToken.Parse(pos[(slash + 1)..]));
            }
            catch (MatrixException)
            {
                // A malformed token is as unknown as another user's position: the client starts again either way.
            }
        }
        throw UnknownPos();
    }

    public static MatrixException UnknownPos() => new(400, ErrorCodes.UnknownPos, "Unknown position: start a new connection without pos");
}
