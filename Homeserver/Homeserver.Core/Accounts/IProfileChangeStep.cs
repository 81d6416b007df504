using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts;

/// <summary>
/// What another domain does when a user changes their display name or avatar (rooms copy it into the user's member
/// events), so accounts need not know those domains.
/// </summary>
public interface IProfileChangeStep
{
    Task OnProfileChangedAsync(UserId userId, CancellationToken ct);
}
