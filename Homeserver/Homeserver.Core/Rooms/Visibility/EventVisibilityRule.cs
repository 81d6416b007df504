using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.Visibility;

/// <summary>
/// The spec's rule for whether a user may see one event (client-server API "History visibility"), from the
/// room's <c>history_visibility</c> and the user's membership at that event. Pure, so it is tested as a table.
/// </summary>
public static class EventVisibilityRule
{
    /// <param name="visibility">The room's history visibility at the event, as <see cref="HistoryVisibility.Parse"/> reads it.</param>
    /// <param name="membershipAtEvent">The user's membership at the event (for their own membership event, the one it sets).</param>
    /// <param name="currentMembership">The user's membership now, which decides <c>shared</c> history.</param>
    public static bool CanSee(string visibility, string? membershipAtEvent, string? currentMembership)
    {
        if (visibility == HistoryVisibility.WorldReadable)
            return true;
        if (membershipAtEvent == "join")
            return true;
        if (visibility == HistoryVisibility.Shared && currentMembership == "join")
            return true;
        return visibility == HistoryVisibility.Invited && membershipAtEvent == "invite";
    }
}
