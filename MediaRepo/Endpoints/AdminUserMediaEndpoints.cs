using System.Text.Json.Nodes;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Media;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MediaRepo.Endpoints;

/// <summary>Synapse's admin listing and deletion of a user's media, and every user's media statistics.</summary>
public static class AdminUserMediaEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/v1/users/{userId}/media", async (string userId, int? from, int? limit, string? order_by, string? dir, MediaAdminService admin,
            CancellationToken ct) =>
        {
            var order = UserMediaOrder(from, limit, order_by, dir);
            var (media, total) = await admin.UserMediaAsync(UserId.Parse(userId), order, ct);
            return Results.Ok(new
            {
                // A JSON object, so the fields Synapse answers as null are written rather than left out.
                media = media.Select(m => new JsonObject
                {
                    ["media_id"] = m.MediaId, ["media_type"] = m.ContentType, ["media_length"] = m.SizeBytes, ["upload_name"] = m.UploadName,
                    ["created_ts"] = m.CreatedTs, ["last_access_ts"] = m.LastAccessTs, ["quarantined_by"] = m.QuarantinedBy,
                    ["safe_from_quarantine"] = m.SafeFromQuarantine,
                }),
                next_token = order.NextToken(media.Count, total),
                total,
            });
        });

        admin.MapDelete("/v1/users/{userId}/media", async (string userId, int? from, int? limit, string? order_by, string? dir, MediaAdminService admin,
            CancellationToken ct) =>
        {
            var deleted = await admin.DeleteUserMediaAsync(UserId.Parse(userId), UserMediaOrder(from, limit, order_by, dir), ct);
            return Results.Ok(new { deleted_media = deleted, total = deleted.Count });
        });

        admin.MapGet("/v1/statistics/users/media", async (int? from, int? limit, string? order_by, string? dir, long? from_ts, long? until_ts,
            string? search_term, MediaAdminService admin, CancellationToken ct) =>
        {
            var order = MediaListOrder.Parse(from ?? 0, limit ?? 100, order_by, dir, MediaAdminService.StatisticsColumns, "user_id");
            var (users, total) = await admin.StatisticsAsync(from_ts, until_ts, search_term, order, ct);
            return Results.Ok(new
            {
                users = users.Select(u => new JsonObject
                {
                    ["user_id"] = u.UserId, ["displayname"] = u.Displayname, ["media_count"] = u.MediaCount, ["media_length"] = u.MediaLength,
                }),
                next_token = order.NextToken(users.Count, total),
                total,
            });
        });
    }

    // Newest first unless the request orders otherwise, as Synapse lists a user's media.
    private static MediaListOrder UserMediaOrder(int? from, int? limit, string? orderBy, string? dir) =>
        MediaListOrder.Parse(from ?? 0, limit ?? 100, orderBy, dir, MediaAdminService.UserMediaColumns, "created_ts", defaultBackwards: true);
}
