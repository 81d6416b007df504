using Homeserver.Core.Rooms.State;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.UserDirectory;

/// <summary>
/// <c>POST /user_directory/search</c> with Synapse's default scope (<c>search_all_users: false</c>): a user is
/// found if they share a room with the searcher or are joined to a room with a public join rule or
/// world-readable history. Only local, active users are searched (the directory does not federate yet);
/// the term matches anywhere in the user ID or the global display name, ignoring case.
/// </summary>
public sealed class UserDirectoryService(UserDirectoryStore store, CurrentStateStore current)
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 50;

    public async Task<UserDirectoryResult> SearchAsync(UserId searcher, string searchTerm, int limit, CancellationToken ct)
    {
        var term = searchTerm.Trim();
        limit = Math.Clamp(limit, 0, MaxLimit);
        // An empty term would list every visible user; that is enumeration, not search.
        if (term.Length == 0)
            return new UserDirectoryResult([], false);
        var candidates = await store.CandidatesAsync(term, ct);
        if (candidates.Count == 0)
            return new UserDirectoryResult([], false);
        var shared = (await current.RoomsOfUserAsync(searcher.ToString(), "join", ct)).ToHashSet(StringComparer.Ordinal);
        var open = await store.OpenRoomsAsync(candidates.Where(c => !shared.Contains(c.RoomId) || c.UserId == searcher.ToString())
            .Select(c => c.RoomId).Distinct().ToList(), ct);
        // The searcher shares every room of theirs with themselves; as in Synapse they find themselves only through
        // a public room, like anyone else would.
        var found = candidates
            .Where(c => (shared.Contains(c.RoomId) && c.UserId != searcher.ToString()) || open.Contains(c.RoomId))
            .DistinctBy(c => c.UserId)
            .Select(c => new UserDirectoryEntry(c.UserId, c.DisplayName, c.AvatarUrl))
            .OrderBy(e => Rank(e, term))
            .ThenBy(e => e.DisplayName is null)
            .ThenBy(e => e.UserId, StringComparer.Ordinal)
            .ToList();
        return new UserDirectoryResult(found.Take(limit).ToList(), found.Count > limit);
    }

    /// <summary>Exact matches first, then matches at the start of the localpart, display name or one of its words, then the rest.</summary>
    private static int Rank(UserDirectoryEntry e, string term)
    {
        var colon = e.UserId.IndexOf(':', StringComparison.Ordinal);
        var localpart = colon > 1 ? e.UserId[1..colon] : e.UserId;
        var name = e.DisplayName ?? "";
        if (Same(e.UserId, term) || Same(localpart, term) || Same(name, term))
            return 0;
        if (StartsWith(e.UserId, term) || StartsWith(localpart, term) || StartsWith(name, term)
            || name.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(w => StartsWith(w, term)))
            return 1;
        return 2;
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static bool StartsWith(string a, string b) => a.StartsWith(b, StringComparison.OrdinalIgnoreCase);
}
