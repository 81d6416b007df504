using Homeserver.Core.Errors;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// An event a step of <see cref="EventIngest"/> refused, naming the step (the rule) and why. A local user sees it
/// as <c>M_FORBIDDEN</c> with the reason, as the authorisation rules word it.
/// </summary>
public sealed class EventRefusedException(string step, string reason, bool rejected = false)
    : MatrixException(403, ErrorCodes.Forbidden, reason)
{
    public string Step { get; } = step;

    /// <summary>
    /// The authorisation rules refused the event (spec "Rejection"), as opposed to dropping it for its format or
    /// signatures, or for something missing here: a rejected event from elsewhere is remembered as such.
    /// </summary>
    public bool Rejected { get; } = rejected;
}
