using Homeserver.Core.Errors;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Http;

namespace Homeserver.Http.Errors;

public static class MatrixErrorWriter
{
    public static Task WriteAsync(HttpContext context, MatrixException error)
    {
        context.Response.StatusCode = error.Status;
        if (error is RateLimitedException limited)
            context.Response.Headers.RetryAfter = Math.Max(1, (limited.RetryAfterMs + 999) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return context.Response.WriteAsJsonAsync(error.ToBody(), MatrixJson.Options, "application/json", context.RequestAborted);
    }

    public static Task WriteAsync(HttpContext context, int status, string errcode, string message) =>
        WriteAsync(context, new MatrixException(status, errcode, message));
}
