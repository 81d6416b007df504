using Homeserver.Core.Errors;

namespace Homeserver.Core.Events;

/// <summary>
/// An event does not match its room version's event format or is not canonical JSON (room versions,
/// "Event format" and "Canonical JSON"): 400 <c>M_BAD_JSON</c> to clients; federation drops the event.
/// </summary>
public sealed class InvalidEventException(string message) : MatrixException(400, ErrorCodes.BadJson, message);
