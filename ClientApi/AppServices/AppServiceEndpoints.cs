using System.Text.Json;
using Homeserver.Core.AppServices;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.AppServices;

public static class AppServiceEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        // POST /_matrix/client/v1/appservice/{appserviceId}/ping
        v1.MapPost("/appservice/{appserviceId}/ping", async (string appserviceId, HttpContext ctx, AppServiceClient client, CancellationToken ct) =>
        {
            if (ctx.GetAppService() is not { } service || service.Id != appserviceId)
                throw MatrixException.Forbidden("Provided access token is not the appservice's as_token");
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            string? transactionId = null;
            if (body.TryGetProperty("transaction_id", out var txn))
                transactionId = txn.ValueKind == JsonValueKind.String ? txn.GetString() : throw MatrixException.BadJson("transaction_id must be a string");
            if (service.Url is null)
                throw new MatrixException(400, ErrorCodes.UrlNotSet, "Application service doesn't have a URL configured");
            var result = await client.PingAsync(service, transactionId, ct);
            if (result.Succeeded)
                return Results.Ok(new { duration_ms = (long)result.Duration.TotalMilliseconds });
            if (result.TimedOut)
                throw new MatrixException(504, ErrorCodes.ConnectionTimeout, "Connection to the application service timed out");
            if (result.Status is { } status)
                throw new MatrixException(502, ErrorCodes.BadStatus, $"Ping returned status {status}")
                {
                    Extra = new Dictionary<string, object?> { ["status"] = status, ["body"] = result.Body },
                };
            throw new MatrixException(502, ErrorCodes.ConnectionFailed, $"Connection to the application service failed: {result.Error}");
        }).RequireAuthorization();
    }
}
