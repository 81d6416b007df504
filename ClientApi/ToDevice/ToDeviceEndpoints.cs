using Homeserver.Core.Errors;
using Homeserver.Core.ToDevice;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClientApi.ToDevice;

public static class ToDeviceEndpoints
{
    public static void Map(RouteGroupBuilder v3)
    {
        // PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}
        v3.MapPut("/sendToDevice/{eventType}/{txnId}", async (string eventType, string txnId, HttpContext ctx, ToDeviceService toDevice, CancellationToken ct) =>
        {
            var r = ctx.GetRequester();
            var body = await JsonBody.ReadObjectAsync(ctx.Request, ct);
            if (!body.TryGetProperty("messages", out var messages))
                throw MatrixException.MissingParam("Missing messages");
            await toDevice.SendAsync(r.UserId, r.DeviceId, eventType, txnId, messages, ct);
            return Results.Ok(new { });
        }).RequireAuthorization().AllowGuests();
    }
}
