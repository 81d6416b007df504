using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;

namespace Homeserver.Core.Rooms;

/// <summary>
/// What an admin's restrictions of a local account do to the events it sends, as in Synapse. A suspended account
/// (MSC3823) may leave rooms and nothing else: 403 <c>M_USER_SUSPENDED</c>. A shadow-banned account's events other
/// than its own membership, and its invites, seem to be sent but are not: the sender gets an event ID that names no
/// event, so a spammer sees no sign of the ban.
/// </summary>
public sealed class SenderRestrictions(UserStore users)
{
    /// <summary>True when the event is to be dropped unseen; throws when the sender may not send it at all.</summary>
    public async Task<bool> DropsAsync(UserId sender, string type, string? stateKey, JsonObject content, CancellationToken ct)
    {
        var user = await users.GetAsync(sender.ToString(), ct);
        if (user is null || (!user.IsSuspended && !user.IsShadowBanned))
            return false;
        var membership = type == EventTypes.Member ? JsonFields.String(content, "membership") : null;
        var ownMembership = stateKey == sender.ToString();
        if (user.IsSuspended && !(membership == "leave" && ownMembership))
            throw MatrixException.Suspended();
        return user.IsShadowBanned && (membership is null || (membership == "invite" && !ownMembership));
    }

    /// <summary>Throws 403 <c>M_USER_SUSPENDED</c> for a suspended account (creating rooms, changing its profile).</summary>
    public async Task EnsureNotSuspendedAsync(UserId user, CancellationToken ct)
    {
        if (await users.GetAsync(user.ToString(), ct) is { IsSuspended: true })
            throw MatrixException.Suspended();
    }

    /// <summary>An event ID like a real one, for a dropped event.</summary>
    public static EventId UnsentEventId() => EventId.Parse("$" + SecureTokens.Secret());
}
