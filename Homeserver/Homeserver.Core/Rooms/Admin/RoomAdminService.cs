using System.Text.Json.Nodes;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms.Admin;

/// <summary>
/// Synapse's rooms admin API: the room list with its ordering, search and offsets, a room's details, members, state
/// and forward extremities, and any event by ID. An admin reads everything, whatever the room's visibility rules.
/// </summary>
public sealed class RoomAdminService(RoomSummaryReader summaries, RoomAdminStore store, RoomReadService reads, CurrentStateStore current,
    EventStore events, Configuration.ServerIdentity server, TimeProvider time)
{
    /// <summary>The keys Synapse orders its room list by (with its two deprecated names), ties broken by room ID.</summary>
    private static readonly Dictionary<string, Func<RoomSummary, IComparable?>> Orders = new(StringComparer.Ordinal)
    {
        ["name"] = r => r.Name,
        ["alphabetical"] = r => r.Name,
        ["canonical_alias"] = r => r.CanonicalAlias,
        ["joined_members"] = r => r.JoinedMembers,
        ["size"] = r => r.JoinedMembers,
        ["joined_local_members"] = r => r.JoinedLocalMembers,
        ["version"] = r => r.Version,
        ["creator"] = r => r.Creator,
        ["encryption"] = r => r.Encryption,
        ["federatable"] = r => r.Federatable,
        ["public"] = r => r.Public,
        ["join_rules"] = r => r.JoinRules,
        ["guest_access"] = r => r.GuestAccess,
        ["history_visibility"] = r => r.HistoryVisibility,
        ["state_events"] = r => r.StateEvents,
    };

    public sealed record RoomPage(IReadOnlyList<RoomSummary> Rooms, int Total);

    public sealed record Details(RoomSummary Room, long JoinedLocalDevices, bool Forgotten);

    /// <summary>
    /// A page of rooms. <paramref name="searchTerm"/> matches a part of the name (any case), of the canonical alias's
    /// local part, or the whole room ID, as Synapse matches it.
    /// </summary>
    public async Task<RoomPage> ListAsync(string orderBy, bool descending, string? searchTerm, int from, int limit, CancellationToken ct)
    {
        if (!Orders.TryGetValue(orderBy, out var key))
            throw MatrixException.InvalidParam($"Unknown value for order_by: {orderBy}");
        if (searchTerm is "")
            throw MatrixException.InvalidParam("search_term cannot be empty");
        IEnumerable<RoomSummary> rooms = await summaries.AllAsync(ct);
        if (searchTerm is not null)
            rooms = rooms.Where(r => Matches(r, searchTerm));
        var sorted = rooms.ToList();
        // Rooms without a value (no name, say) come last in ascending order and first in descending.
        sorted.Sort((a, b) =>
        {
            var (x, y) = (key(a), key(b));
            var byKey = x is null ? (y is null ? 0 : 1) : y is null ? -1 : x.CompareTo(y);
            return byKey != 0 ? byKey : string.CompareOrdinal(a.RoomId, b.RoomId);
        });
        if (descending)
            sorted.Reverse();
        return new RoomPage(sorted.Skip(from).Take(limit).ToList(), sorted.Count);
    }

    private static bool Matches(RoomSummary room, string term) =>
        room.Name?.Contains(term, StringComparison.OrdinalIgnoreCase) == true
        || room.CanonicalAlias?.Split(':')[0].Contains(term, StringComparison.Ordinal) == true
        || room.RoomId == term;

    public async Task<Details> DetailsAsync(RoomId roomId, CancellationToken ct)
    {
        var room = await GetAsync(roomId, ct);
        return new Details(room, await store.LocalDevicesAsync(room.RoomId, ct), await store.IsForgottenAsync(room.RoomId, server.ServerName, ct));
    }

    public async Task<RoomSummary> GetAsync(RoomId roomId, CancellationToken ct) =>
        await summaries.OneAsync(roomId.ToString(), ct) ?? throw MatrixException.NotFound("Room not found");

    /// <summary>The users joined to the room.</summary>
    public async Task<IReadOnlyList<string>> MembersAsync(RoomId roomId, CancellationToken ct)
    {
        await GetAsync(roomId, ct);
        return (await current.MembersAsync(roomId.ToString(), ct)).Where(m => m.Membership == "join").Select(m => m.UserId).ToList();
    }

    public async Task<IReadOnlyList<JsonObject>> StateAsync(RoomId roomId, CancellationToken ct)
    {
        await GetAsync(roomId, ct);
        return await reads.CurrentStateAsync(roomId, ct);
    }

    public sealed record ForwardExtremity(string EventId, long? StateGroup, long Depth, long ReceivedTs);

    public async Task<IReadOnlyList<ForwardExtremity>> ForwardExtremitiesAsync(RoomId roomId, CancellationToken ct)
    {
        await GetAsync(roomId, ct);
        return (await store.ExtremitiesAsync(roomId.ToString(), ct)).Select(x => new ForwardExtremity(x.EventId, x.StateGroup, x.Depth, x.ReceivedTs)).ToList();
    }

    /// <summary>Deletes all the room's forward extremities but the newest; how many went.</summary>
    public async Task<int> DeleteForwardExtremitiesAsync(RoomId roomId, CancellationToken ct)
    {
        await GetAsync(roomId, ct);
        return await store.DeleteOlderExtremitiesAsync(roomId.ToString(), ct);
    }

    /// <summary>Any event we hold, timeline or outlier, in the client format.</summary>
    public async Task<JsonObject> EventAsync(EventId eventId, CancellationToken ct)
    {
        var row = await events.GetIncludingOutliersAsync(eventId.ToString(), ct) ?? throw MatrixException.NotFound("Event not found");
        var version = await reads.VersionOfAsync(RoomId.Parse(row.RoomId), ct);
        return ClientEventFormatter.Format(row, version, time.GetUtcNow().ToUnixTimeMilliseconds());
    }
}
