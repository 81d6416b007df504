namespace Homeserver.Core.AppServices;

/// <summary>
/// How a call to an application service went: <see cref="Error"/> is null when it answered 2xx; otherwise it says
/// why (a status, a refused connection, a timeout) for the log and the admin view.
/// </summary>
public sealed record AppServiceCallResult(string? Error, int? Status, string? Body, TimeSpan Duration, bool TimedOut = false)
{
    public bool Succeeded => Error is null;
}
