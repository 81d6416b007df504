using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.Visibility;

/// <summary>
/// The spec's history visibility rule (client-server API, "History visibility") applied to a whole server, as
/// Synapse's <c>filter_events_for_server</c> applies it: the server sees an event when one of its users could. Pure,
/// so it is tested as a table.
/// </summary>
public static class ServerVisibilityRule
{
    /// <param name="visibility">The room's history visibility at the event.</param>
    /// <param name="memberships">The memberships of the server's users at the event.</param>
    /// <param name="inRoomNow">Whether one of the server's users is joined now: <c>shared</c> history is for servers that joined since.</param>
    public static bool CanSee(string visibility, IEnumerable<string?> memberships, bool inRoomNow)
    {
        if (visibility == HistoryVisibility.WorldReadable)
            return true;
        var list = memberships as IReadOnlyCollection<string?> ?? memberships.ToList();
        if (list.Contains("join"))
            return true;
        if (visibility == HistoryVisibility.Shared && inRoomNow)
            return true;
        return visibility == HistoryVisibility.Invited && list.Contains("invite");
    }
}
