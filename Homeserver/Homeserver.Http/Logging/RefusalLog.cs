using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Homeserver.Http.Logging;

/// <summary>
/// Says why a request was refused, beside the request log's line: a rate limit at Information with its config key (the
/// limit an operator would tune), a server-side error (5xx) at Warning, any other refusal at Debug. The error's text
/// is the server's own message, never the request's body or credentials.
/// </summary>
public sealed class RefusalLog(ILogger<RefusalLog> log)
{
    public void Refused(HttpContext ctx, MatrixException e)
    {
        var user = ctx.User.FindFirst(AccessTokenClaims.UserId)?.Value ?? "-";
        var ip = ctx.Connection.RemoteIpAddress;
        if (e is RateLimitedException limited)
            log.LogInformation("Rate limit {Limit} refused {Method} {Path} user={User} ip={Ip}; retry in {RetryAfterMs} ms",
                limited.Limit, ctx.Request.Method, ctx.Request.Path.Value, user, ip, limited.RetryAfterMs);
        else
            log.Log(e.Status >= 500 ? LogLevel.Warning : LogLevel.Debug, "{Method} {Path} refused with {Status} {Errcode}: {Error} user={User} ip={Ip}",
                ctx.Request.Method, ctx.Request.Path.Value, e.Status, e.Errcode, e.Message, user, ip);
    }
}
