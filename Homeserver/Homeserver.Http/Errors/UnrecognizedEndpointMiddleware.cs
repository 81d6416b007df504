using Homeserver.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Homeserver.Http.Errors;

/// <summary>Gives routing's bare 404 and 405 answers the spec's <c>M_UNRECOGNIZED</c> body.</summary>
public sealed class UnrecognizedEndpointMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        if (context.Response.HasStarted)
            return;
        if (context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
            await MatrixErrorWriter.WriteAsync(context, context.Response.StatusCode, ErrorCodes.Unrecognized, "Unrecognized request");
    }
}
