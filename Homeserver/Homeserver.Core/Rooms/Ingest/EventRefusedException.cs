using Homeserver.Core.Errors;

namespace Homeserver.Core.Rooms.Ingest;

/// <summary>
/// An event a step of <see cref="EventIngest"/> refused, naming the step (the rule) and why. A local user sees it
/// as <c>M_FORBIDDEN</c> with the reason, as the authorisation rules word it.
/// </summary>
public sealed class EventRefusedException(string step, string reason)
    : MatrixException(403, ErrorCodes.Forbidden, reason)
{
    public string Step { get; } = step;
}
