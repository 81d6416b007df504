using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Accounts;

/// <summary>Profiles of other servers' users, asked of their server (federation's <c>/query/profile</c>).</summary>
public interface IRemoteProfiles
{
    /// <summary>The user's profile, or only <paramref name="field"/> of it when one is named: field names and string values.</summary>
    Task<IReadOnlyDictionary<string, string>> QueryAsync(UserId userId, string? field, CancellationToken ct);
}
