using System.Diagnostics;
using Homeserver.Core.Accounts.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Homeserver.Http.Logging;

/// <summary>
/// One structured line per request. The query string is never logged, since it may carry the legacy
/// <c>access_token</c>; bodies (passwords) and headers (bearer tokens) are never logged either.
/// </summary>
public sealed class RequestLogMiddleware(RequestDelegate next, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            logger.LogInformation("{Method} {Path} {Status} {ElapsedMs:F1}ms user={User} ip={Ip}",
                context.Request.Method, context.Request.Path.Value, context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                context.User.FindFirst(AccessTokenClaims.UserId)?.Value ?? "-",
                context.Connection.RemoteIpAddress);
        }
    }
}
