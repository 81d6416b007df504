using Homeserver.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Homeserver.Http.Routing;

/// <summary>
/// Every path parameter names something (a room, an event type, a state key, a transaction, a device, a media
/// file), so every one is held to <see cref="StoredText"/>'s identifier policy before any endpoint runs: at most
/// 255 bytes without control characters (a decoded <c>%00</c> included), else 400 <c>M_INVALID_PARAM</c>. Checked
/// once here, after routing, so an endpoint added later is covered without doing anything.
/// </summary>
public sealed class PathParameterGuardMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        foreach (var (name, value) in context.Request.RouteValues)
            if (value is string s && !StoredText.IsIdentifier(s))
                throw Core.Errors.MatrixException.InvalidParam(
                    $"Path parameter {name} must be at most {StoredText.MaxIdentifierBytes} bytes of UTF-8 without control characters");
        return next(context);
    }
}
