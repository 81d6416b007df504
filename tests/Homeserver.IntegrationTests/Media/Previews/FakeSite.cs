using System.Collections.Concurrent;
using Homeserver.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace Homeserver.IntegrationTests.Media.Previews;

/// <summary>
/// A web site on a loopback port for URL previews to fetch: pages with and without Open Graph tags (one of them a little
/// slow to come), an image, a body longer than the previewer reads, a slow page, an error and redirects; it counts the requests of every path.
/// </summary>
public sealed class FakeSite : IAsyncLifetime
{
    public const int ImageWidth = 40;
    public const int ImageHeight = 30;

    private const string OpenGraphPage = """
        <html prefix="og: http://ogp.me/ns#"><head>
        <title>Not the OG title</title>
        <meta property="og:title" content="The Rock" />
        <meta property="og:type" content="video.movie" />
        <meta property="og:description" content="A movie" />
        <meta property="og:image" content="/image.png" />
        </head><body><p>Body text</p></body></html>
        """;

    private LoopbackWebApp? _web;

    public ConcurrentDictionary<string, int> Hits { get; } = new();
    public byte[] Image { get; } = MakePng();
    public int Port => _web!.Port;

    /// <summary>The URL of <paramref name="path"/> on this site, by IP literal.</summary>
    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public int HitsOf(string path) => Hits.GetValueOrDefault(path);

    public async Task InitializeAsync() => _web = await LoopbackWebApp.StartAsync(Map);

    private void Map(WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            Hits.AddOrUpdate(ctx.Request.Path.Value!, 1, (_, n) => n + 1);
            await next();
        });
        app.MapGet("/og/{name}", () => Html(OpenGraphPage));
        // Long enough for requests sent together to all arrive while it is being fetched.
        app.MapGet("/og-slow/{name}", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            return Html(OpenGraphPage);
        });
        app.MapGet("/title.html", () => Html("<html><head><title>  Only a title  </title></head><body></body></html>"));
        app.MapGet("/fallbacks.html", () => Html("""
            <html><head><title>Fallbacks</title><meta name="Description" content="Said in a meta description"></head>
            <body><nav>Menu</nav><img src="tiny.png" width="1" height="1"><img src="image.png" width="400" height="300"></body></html>
            """));
        app.MapGet("/image.png", () => Results.Bytes(Image, "image/png"));
        app.MapGet("/big.html", async (HttpContext ctx) =>
        {
            // No Content-Length: the previewer must stop reading by itself.
            ctx.Response.ContentType = "text/html";
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'a');
            try
            {
                for (var i = 0; i < 64; i++)
                    await ctx.Response.Body.WriteAsync(chunk, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The previewer hung up once it had read enough.
            }
        });
        app.MapGet("/slow.html", async (HttpContext ctx) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ctx.RequestAborted);
            return Html("<title>too late</title>");
        });
        app.MapGet("/missing.html", () => Results.NotFound());
        app.MapGet("/text.txt", () => Results.Text("plain", "text/plain"));
        app.MapGet("/redirect-ok", () => Results.Redirect("/og/redirected"));
        // 127.0.0.2 is loopback like us, but outside the range the test allows: the redirect must be refused.
        app.MapGet("/redirect-denied", (HttpContext ctx) => Results.Redirect($"http://127.0.0.2:{Port}/og/denied"));
        app.MapGet("/blocked/page.html", () => Html("<title>blocked</title>"));
    }

    public async Task DisposeAsync()
    {
        if (_web is not null)
            await _web.DisposeAsync();
    }

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    private static byte[] MakePng()
    {
        using var image = new Image<Rgba32>(ImageWidth, ImageHeight);
        using var ms = new MemoryStream();
        image.SaveAsPng(ms);
        return ms.ToArray();
    }
}
