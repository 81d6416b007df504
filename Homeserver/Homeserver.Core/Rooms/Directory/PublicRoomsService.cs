namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// <c>/publicRooms</c>: published rooms that someone outside could actually enter or read, largest first,
/// filtered and cut into pages by <see cref="PublicRoomsToken"/>.
/// </summary>
public sealed class PublicRoomsService(PublishedRoomStore store)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    // Ordered by joined members, largest first (the order the spec recommends), then room ID so that ties
    // have a stable order for the tokens.
    private static readonly IComparer<(long Joined, string RoomId)> Order = Comparer<(long Joined, string RoomId)>.Create((a, b) =>
    {
        var byCount = b.Joined.CompareTo(a.Joined);
        return byCount != 0 ? byCount : string.CompareOrdinal(a.RoomId, b.RoomId);
    });

    public Task<PublicRoomsPage> ListAsync(PublicRoomsRequest request, CancellationToken ct) =>
        ListAsync(request.Scope, request.FilterOrNone, request.ValidLimit, request.Since, ct);

    /// <param name="limit">Null or 0 for the default page size; larger values are capped at <see cref="MaxLimit"/>.</param>
    private async Task<PublicRoomsPage> ListAsync(PublicRoomsScope scope, PublicRoomsFilter filter, int? limit, string? since, CancellationToken ct)
    {
        var token = string.IsNullOrEmpty(since) ? null : PublicRoomsToken.Parse(since);
        var pageSize = limit is null or 0 ? DefaultLimit : Math.Min(limit.Value, MaxLimit);
        var snapshot = await store.LoadAsync(scope, ct);
        var listed = snapshot.Rooms.Select(r => PublicRoomEntryReader.Read(r, snapshot.State[r.RoomId])).Where(IsListed).ToList();
        var matching = listed.Where(filter.Matches).OrderBy(Key, Order).ToList();

        int start, end;
        if (token is null)
            (start, end) = (0, Math.Min(pageSize, matching.Count));
        else if (token.Forward)
        {
            start = FirstAfter(matching, (token.JoinedMembers, token.RoomId));
            end = Math.Min(start + pageSize, matching.Count);
        }
        else
        {
            end = FirstAtOrAfter(matching, (token.JoinedMembers, token.RoomId));
            start = Math.Max(0, end - pageSize);
        }

        var chunk = matching[start..end];
        string? next = chunk.Count > 0 && end < matching.Count ? new PublicRoomsToken(true, chunk[^1].NumJoinedMembers, chunk[^1].RoomId).Format() : null;
        string? prev = chunk.Count > 0 && start > 0 ? new PublicRoomsToken(false, chunk[0].NumJoinedMembers, chunk[0].RoomId).Format() : null;
        return new PublicRoomsPage(chunk, next, prev, listed.Count);
    }

    /// <summary>
    /// Publishing a room that nobody could join or read only advertises a dead end, so like Synapse the
    /// directory shows published rooms with a public or knock join rule, or world-readable history.
    /// </summary>
    public static bool IsListed(PublicRoomEntry room) =>
        room.WorldReadable || room.JoinRule is "public" or "knock" or "knock_restricted";

    private static (long, string) Key(PublicRoomEntry e) => (e.NumJoinedMembers, e.RoomId);

    private static int FirstAfter(List<PublicRoomEntry> sorted, (long, string) key)
    {
        var i = 0;
        while (i < sorted.Count && Order.Compare(Key(sorted[i]), key) <= 0)
            i++;
        return i;
    }

    private static int FirstAtOrAfter(List<PublicRoomEntry> sorted, (long, string) key)
    {
        var i = 0;
        while (i < sorted.Count && Order.Compare(Key(sorted[i]), key) < 0)
            i++;
        return i;
    }
}
