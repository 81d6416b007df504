using System.Globalization;
using Homeserver.Core.Errors;
using Homeserver.Http.Auth;
using Microsoft.AspNetCore.Http;

namespace ClientApi.AppServices;

/// <summary>
/// The <c>ts</c> query parameter of a send or a state change (spec "Timestamp massaging"): an application service
/// importing history sets the event's <c>origin_server_ts</c> with it. Only a service may; from a client it is ignored,
/// as Synapse ignores it.
/// </summary>
public static class MassagedTimestamp
{
    public static long? Of(HttpContext ctx)
    {
        if (ctx.GetAppService() is null || ctx.Request.Query["ts"] is not [{ } text])
            return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ts)
            ? ts
            : throw MatrixException.InvalidParam("ts must be a timestamp in milliseconds");
    }
}
