namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>
/// The outcome of checking an event against the authorisation rules: allowed, or denied with a reason
/// that names the rule that refused it (e.g. <c>"m.room.member: sender is banned"</c>), for logs and
/// for the <c>M_FORBIDDEN</c> message a client sees.
/// </summary>
public sealed record AuthResult
{
    private AuthResult(bool isAllowed, string? reason)
    {
        IsAllowed = isAllowed;
        Reason = reason;
    }

    public static AuthResult Allowed { get; } = new(true, null);

    public bool IsAllowed { get; }

    /// <summary>Why the event was denied; null when it was allowed.</summary>
    public string? Reason { get; }

    public static AuthResult Denied(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new AuthResult(false, reason);
    }

    public override string ToString() => IsAllowed ? "allowed" : $"denied: {Reason}";
}
