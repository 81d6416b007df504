using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Federation.Sending;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Homeserver.Http.FederationAuth;

/// <summary>
/// Request authentication for every federation endpoint but the version: an <c>X-Matrix</c> header naming us as the
/// destination (or no destination, as older servers send), signed with a key of the origin that is valid now, over
/// the method, the request target exactly as it came, and the body. Anything else is 401 <c>M_UNAUTHORIZED</c>.
/// </summary>
public sealed class XMatrixAuthenticationFilter(IVerifyKeys keys, ServerIdentity server, IFederationContactSignal contact, TimeProvider time,
    ILogger<XMatrixAuthenticationFilter> log)
    : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var ctx = context.HttpContext;
        var ct = ctx.RequestAborted;
        if (!XMatrixAuthorization.TryParse(ctx.Request.Headers.Authorization.ToString(), out var credentials))
            throw Refused(ctx, "Missing or malformed X-Matrix Authorization header");
        if (credentials!.Destination is { } destination && destination != server.ServerName)
            throw Refused(ctx, $"The request is for {destination}, not for this server");
        // A header naming no server is malformed rather than unauthenticated: 400, as Synapse answers it.
        if (!ServerNames.IsValid(credentials.Origin))
            throw Refused(ctx, "The origin is not a server name", 400);
        JsonNode? content = null;
        if (ctx.Request.ContentLength > 0 || (ctx.Request.ContentLength is null && ctx.Request.Headers.TransferEncoding.Count > 0))
        {
            // Buffered so the endpoint reads the same body after the signature check.
            ctx.Request.EnableBuffering();
            content = JsonNode.Parse((await JsonBody.ReadObjectAsync(ctx.Request, ct)).GetRawText());
            ctx.Request.Body.Position = 0;
            // A body canonical JSON cannot hold (a float, an integer out of range) could be signed by no one: it is
            // bad JSON, answered as Synapse answers it, not a failed signature.
            if (!CanonicalJson.TryValidate(content, out var error))
                throw MatrixException.BadJson($"The body is not canonical JSON: {error}");
        }
        var publicKey = await keys.FindAsync(credentials.Origin, credentials.KeyId, time.GetUtcNow().ToUnixTimeMilliseconds(), ct)
            ?? throw Refused(ctx, $"Key {credentials.KeyId} of {credentials.Origin} is unknown or no longer valid");
        var target = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget ?? ctx.Request.Path + ctx.Request.QueryString;
        if (!XMatrixAuthorization.Verify(credentials, publicKey, server.ServerName, ctx.Request.Method, target, content))
            throw Refused(ctx, $"Bad signature by {credentials.Origin} ({credentials.KeyId})");
        FederationRequester.Set(ctx, credentials.Origin);
        await contact.ContactedAsync(credentials.Origin, ct);
        return await next(context);
    }

    private MatrixException Refused(HttpContext ctx, string reason, int status = 401)
    {
        log.LogInformation("Federation request {Method} {Path} refused: {Reason}", ctx.Request.Method, ctx.Request.Path, reason);
        return new MatrixException(status, ErrorCodes.Unauthorized, reason);
    }
}
