using System.Text.Json;
using Homeserver.Http.FederationAuth;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Reads;
using Homeserver.Core.Identifiers;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Events;

public static class MissingEventsEndpoint
{
    /// <summary>
    /// The asker's forward extremities (earliest) and the events it lacks parents of (latest): a room rarely has more
    /// than a few; the caps keep one request from naming thousands of lookups.
    /// </summary>
    public const int MaxEarliestEvents = 1000;
    public const int MaxLatestEvents = 100;

    public static void Map(RouteGroupBuilder v1)
    {
        // POST /_matrix/federation/v1/get_missing_events/{roomId} — the events between what the asker holds and its latest events.
        v1.MapPost("/get_missing_events/{roomId}", async (string roomId, HttpContext ctx, FederationHistoryReads reads, CancellationToken ct) =>
        {
            var room = FederationPaths.RoomId(roomId);
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            // Either list may be left out, as Synapse takes it: no earliest events walks back to the limit, no latest
            // events finds nothing.
            var earliest = EventIds(body, "earliest_events", MaxEarliestEvents);
            var latest = EventIds(body, "latest_events", MaxLatestEvents);
            var limit = Integer(body, "limit", FederationHistoryReads.DefaultMissingEvents);
            var minDepth = Integer(body, "min_depth", 0);
            var events = await reads.MissingEventsAsync(ctx.GetFederationOrigin(), room, earliest, latest,
                (int)Math.Min(limit, int.MaxValue), minDepth, ct);
            return Results.Ok(new { events });
        });
    }

    // IDs that cannot be event IDs name no event: they are skipped, as unknown ones are.
    private static IReadOnlyList<EventId> EventIds(JsonElement body, string key, int max)
    {
        if (!body.TryGetProperty(key, out var list))
            return [];
        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw MatrixException.BadJson($"'{key}' must be a list of event IDs");
        if (list.GetArrayLength() > max)
            throw MatrixException.InvalidParam($"At most {max} '{key}'");
        return list.EnumerateArray().Select(e => EventId.TryParse(e.GetString(), out var id) ? id : null).OfType<EventId>().ToList();
    }

    private static long Integer(JsonElement body, string key, long fallback)
    {
        if (!body.TryGetProperty(key, out var value))
            return fallback;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0
            ? n
            : throw MatrixException.BadJson($"'{key}' must be a non-negative integer");
    }
}
