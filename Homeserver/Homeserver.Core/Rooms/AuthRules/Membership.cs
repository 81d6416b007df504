using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>The <c>membership</c> values of <c>m.room.member</c> and reading a user's current one.</summary>
public static class Membership
{
    public const string Key = "membership";
    public const string Join = "join";
    public const string Invite = "invite";
    public const string Leave = "leave";
    public const string Ban = "ban";
    public const string Knock = "knock";

    /// <summary>
    /// <paramref name="userId"/>'s "current membership state": the <c>membership</c> of their member event,
    /// or <c>leave</c> when they have none, which is what never having been in the room amounts to.
    /// </summary>
    public static string Of(IAuthState state, string userId)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(userId);
        return state.Get(EventTypes.Member, userId) is { } member && Read(member) is { } membership ? membership : Leave;
    }

    /// <summary>The event's <c>content.membership</c> if it is a string, else null.</summary>
    public static string? Read(Pdu member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return PduReader.TryGetString(member.Content[Key], out string? membership) ? membership : null;
    }
}
