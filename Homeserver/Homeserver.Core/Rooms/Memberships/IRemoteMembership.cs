using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Memberships;

/// <summary>
/// Membership changes of a local user in a room this server is not in, made through a server that is (federation's
/// <c>make_*</c>/<c>send_*</c> handshakes). Declared here so that rooms need not know federation.
/// </summary>
public interface IRemoteMembership
{
    /// <summary>Joins through the first of <paramref name="servers"/> that lets us; the room is then held here.</summary>
    /// <param name="content">Our member event's content besides <c>membership</c> (display name, avatar).</param>
    Task JoinAsync(RoomId roomId, UserId userId, JsonObject content, IReadOnlyList<string> servers, CancellationToken ct);

    /// <summary>Leaves a room we are not in, which is refusing an invite to it, through the first of <paramref name="servers"/> that lets us.</summary>
    Task LeaveAsync(RoomId roomId, UserId userId, JsonObject content, IReadOnlyList<string> servers, CancellationToken ct);

    /// <summary>
    /// Leaves a room we are not in here alone, after the user's invite or knock (<paramref name="membership"/>): a leave of
    /// ours on that event, kept as the user's membership and sent nowhere.
    /// </summary>
    Task LeaveOutOfBandAsync(Pdu membership, JsonObject content, CancellationToken ct);

    /// <summary>Knocks on a room we are not in through the first of <paramref name="servers"/> that lets us.</summary>
    Task KnockAsync(RoomId roomId, UserId userId, JsonObject content, IReadOnlyList<string> servers, CancellationToken ct);
}

/// <summary>An invite of another server's user: that server must sign it before the room may have it (federation's <c>invite</c>).</summary>
public interface IRemoteInvite
{
    /// <summary>The invite as the invitee's server signed it.</summary>
    /// <exception cref="Errors.MatrixException">The server refused the invite or could not be reached.</exception>
    Task<Events.Pdu> CountersignAsync(Events.Pdu invite, CancellationToken ct);
}
