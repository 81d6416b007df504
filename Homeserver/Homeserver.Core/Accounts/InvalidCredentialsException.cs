using Homeserver.Core.Errors;

namespace Homeserver.Core.Accounts;

/// <summary>Wrong user or password. Carries the target account so the failed-attempt limiter can count it.</summary>
public sealed class InvalidCredentialsException(string userId)
    : MatrixException(403, ErrorCodes.Forbidden, "Invalid username or password")
{
    public string UserId { get; } = userId;
}
