using System.Text.Json.Nodes;
using Homeserver.Core.Json;
using Homeserver.Core.Rooms.AuthRules;
using Homeserver.Core.Storage;

namespace Homeserver.Core.UserDirectory;

/// <summary>
/// Reads behind the user directory, straight from the membership index and current state: which active
/// local users match a term and which rooms they are joined to, and which of those rooms anyone may see
/// into. A maintained directory table (Synapse's <c>user_directory</c>, <c>users_in_public_rooms</c>) would
/// need a hook on state changes in the event persister; until then these queries are the source of truth.
/// </summary>
public sealed class UserDirectoryStore(Database db)
{
    // {LIKE} is the dialect's case-insensitive match (ILIKE on PostgreSQL; SQLite's LIKE folds ASCII only).
    private const string SelectCandidatesTemplate = """
        SELECT u.user_id AS UserId, u.displayname AS DisplayName, u.avatar_url AS AvatarUrl, m.room_id AS RoomId
        FROM users u JOIN room_memberships m ON m.user_id = u.user_id AND m.membership = 'join'
        WHERE u.is_deactivated = FALSE
          AND (u.user_id {LIKE} @Pattern ESCAPE '\' OR u.displayname {LIKE} @Pattern ESCAPE '\')
        """;
    private const string SelectOpennessStateTemplate = """
        SELECT cs.room_id AS RoomId, e.json AS Json
        FROM current_state cs JOIN events e ON e.event_id = cs.event_id
        WHERE cs.state_key = '' AND cs.event_type IN ('m.room.join_rules', 'm.room.history_visibility') AND {ROOMS}
        """;

    // Bounds the number of parameters SQLite sees when Dapper expands the list.
    private const int RoomBatch = 500;

    private readonly string _selectCandidates = SelectCandidatesTemplate.Replace("{LIKE}", db.Dialect.CaseInsensitiveLike);
    private readonly string _selectOpennessState = SelectOpennessStateTemplate.Replace("{ROOMS}", db.Dialect.InList("cs.room_id", "RoomIds"));

    /// <summary>A user whose ID or display name contains the term, once per room they are joined to.</summary>
    public sealed record Candidate(string UserId, string? DisplayName, string? AvatarUrl, string RoomId);

    private sealed record StateRow(string RoomId, string Json);

    public Task<IReadOnlyList<Candidate>> CandidatesAsync(string term, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<Candidate>(_selectCandidates, new { Pattern = LikePattern.Contains(term) }, ct), ct);

    /// <summary>
    /// The rooms, among <paramref name="roomIds"/>, whose members anyone may discover: a public join rule or
    /// world-readable history (the spec's minimum for the user directory). Both keys survive redaction, so the
    /// stored content is read as it is.
    /// </summary>
    public async Task<IReadOnlySet<string>> OpenRoomsAsync(IReadOnlyCollection<string> roomIds, CancellationToken ct)
    {
        var open = new HashSet<string>(StringComparer.Ordinal);
        foreach (var batch in roomIds.Chunk(RoomBatch))
        {
            var rows = await db.ReadAsync(c => c.ListAsync<StateRow>(_selectOpennessState, new { RoomIds = batch }, ct), ct);
            foreach (var row in rows)
                if (IsOpening(JsonNode.Parse(row.Json)?["content"]))
                    open.Add(row.RoomId);
        }
        return open;
    }

    private static bool IsOpening(JsonNode? content) =>
        JsonFields.String(content, JoinRules.JoinRuleKey) == "public"
        || JsonFields.String(content, HistoryVisibility.Key) == HistoryVisibility.WorldReadable;
}
