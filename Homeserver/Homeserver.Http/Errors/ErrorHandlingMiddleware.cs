using Homeserver.Core.Errors;
using Homeserver.Http.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Homeserver.Http.Errors;

/// <summary>
/// Turns every failure into a Matrix error body: domain errors as they are, oversized bodies as
/// <c>M_TOO_LARGE</c>, parameters that do not bind as <c>M_INVALID_PARAM</c>, and anything unexpected as a logged
/// 500 <c>M_UNKNOWN</c> without internals.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, RefusalLog refusals, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (MatrixException e) when (!context.Response.HasStarted)
        {
            refusals.Refused(context, e);
            await MatrixErrorWriter.WriteAsync(context, e);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var tooLarge = e.StatusCode == StatusCodes.Status413PayloadTooLarge;
            // The rest of an oversized body is never read, so the connection cannot carry another request.
            if (tooLarge)
                context.Response.Headers.Connection = "close";
            await MatrixErrorWriter.WriteAsync(context, e.StatusCode,
                tooLarge ? ErrorCodes.TooLarge : e.StatusCode == StatusCodes.Status400BadRequest ? ErrorCodes.InvalidParam : ErrorCodes.Unknown,
                tooLarge ? "Request body too large" : "Bad request: " + e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            logger.LogError(e, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            await MatrixErrorWriter.WriteAsync(context, StatusCodes.Status500InternalServerError, ErrorCodes.Unknown, "Internal server error");
        }
    }
}
