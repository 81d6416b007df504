using System.Globalization;
using System.Text;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// A <c>next_batch</c>/<c>prev_batch</c> token: the directory's sort key (joined members, room ID) of the entry
/// a page stopped at, and the direction to continue in. Keyed on the sort key rather than an offset, so rooms
/// joining or leaving the directory between two requests shift no room onto two pages or none.
/// Base64url-encoded because the spec calls tokens opaque and clients must not build them.
/// </summary>
public sealed record PublicRoomsToken(bool Forward, long JoinedMembers, string RoomId)
{
    public string Format() =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{(Forward ? 'n' : 'p')}|{JoinedMembers.ToString(CultureInfo.InvariantCulture)}|{RoomId}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static PublicRoomsToken Parse(string token)
    {
        var parts = Decode(token)?.Split('|', 3);
        if (parts is not [var direction, var count, var roomId]
            || direction is not ("n" or "p")
            || !long.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var joined)
            || !Identifiers.RoomId.TryParse(roomId, out _))
            throw MatrixException.InvalidParam("Invalid pagination token");
        return new PublicRoomsToken(direction == "n", joined, roomId);
    }

    private static string? Decode(string token)
    {
        var b64 = token.Replace('-', '+').Replace('_', '/');
        b64 += new string('=', (4 - b64.Length % 4) % 4);
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(b64));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
