using Homeserver.Core.Events;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// Reads <c>m.room.history_visibility</c>. Like the join rules, the event has no authorisation rule of its
/// own in room versions 10–12: sending it needs only its required power level (rule 7, usually
/// <c>state_default</c>), and an unknown value is accepted, then read as <c>shared</c> when serving.
/// </summary>
public static class HistoryVisibility
{
    public const string Key = "history_visibility";
    public const string WorldReadable = "world_readable";
    public const string Shared = "shared";
    public const string Invited = "invited";
    public const string Joined = "joined";

    /// <summary>
    /// The room's history visibility: "if no history_visibility is set, or if the value is not understood,
    /// the visibility is assumed to be shared" (client-server API, "History visibility", server behaviour).
    /// </summary>
    public static string Read(IAuthState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Get(EventTypes.HistoryVisibility, "") is { } ev ? Parse(ev) : Shared;
    }

    public static string Parse(Pdu historyVisibility)
    {
        ArgumentNullException.ThrowIfNull(historyVisibility);
        return PduReader.TryGetString(historyVisibility.Content[Key], out string? value) ? Normalise(value) : Shared;
    }

    /// <summary>A <c>history_visibility</c> value as served: an unknown or missing one reads as <c>shared</c>.</summary>
    public static string Normalise(string? value) => value is WorldReadable or Shared or Invited or Joined ? value : Shared;
}
