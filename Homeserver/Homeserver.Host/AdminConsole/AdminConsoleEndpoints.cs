using System.Net;
using System.Reflection;
using Homeserver.Core.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Homeserver.Host.AdminConsole;

/// <summary>
/// The web console's files, at <c>/_admin/</c> on the client listener, for the networks the config allows; others are
/// answered as if there were nothing there. The pages sign in through the normal login and then call only the admin
/// API, so the files themselves are public knowledge and need no session.
/// </summary>
public static class AdminConsoleEndpoints
{
    public const string Path = "/_admin";

    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        [""] = "text/html; charset=utf-8",
        ["console.js"] = "text/javascript; charset=utf-8",
        ["console.css"] = "text/css; charset=utf-8",
    };

    // Scripts and styles only from the console's own files: a user-written value that slipped into the page as
    // markup still could not run.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Map(IEndpointRouteBuilder app, AdminConsoleOptions options)
    {
        if (!options.Enabled)
            return;
        var allowed = options.AllowedNetworks.Select(n => IpRanges.TryParse(n, out var range) ? range : throw new InvalidOperationException(n)).ToList();
        app.MapGet(Path + "/{file?}", (HttpContext ctx, string? file) =>
        {
            if (!IsAllowed(ctx.Connection.RemoteIpAddress, allowed) || !Files.TryGetValue(file ?? "", out var contentType))
                return Results.NotFound();
            // The route matches with and without the trailing slash; the page's relative links need it.
            if (file is null && !ctx.Request.Path.Value!.EndsWith('/'))
                return Results.Redirect(Path + "/");
            var resource = file is null or "" ? "index.html" : file;
            var stream = typeof(AdminConsoleEndpoints).Assembly.GetManifestResourceStream($"Homeserver.Host.AdminConsole.Assets.{resource}")
                ?? throw new InvalidOperationException($"the console's {resource} is not embedded");
            var headers = ctx.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-cache";
            return Results.Stream(stream, contentType);
        });
    }

    private static bool IsAllowed(IPAddress? address, List<IPNetwork> allowed)
    {
        if (address is null)
            return false;
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return allowed.Any(r => r.Contains(address));
    }
}
