using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Homeserver.Testing;

namespace Homeserver.IntegrationTests.Push;

/// <summary>
/// A push gateway or Web Push service on a loopback port: records every request and answers with what the test
/// says (status and body), so a test can play a gateway that is down, rejects a pushkey or forgets a subscription.
/// </summary>
public sealed class FakePushEndpoint : IAsyncDisposable
{
    public sealed record Received(string Path, IHeaderDictionary Headers, byte[] Body, int AnsweredStatus);

    private readonly LoopbackWebApp _web;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();

    private FakePushEndpoint(LoopbackWebApp web) => _web = web;

    public int Port => _web.Port;
    public string NotifyUrl => $"http://127.0.0.1:{Port}/_matrix/push/v1/notify";
    public string WebPushUrl => $"http://127.0.0.1:{Port}/wp/subscription-1";

    /// <summary>Status and JSON body of the next answers; the default accepts everything.</summary>
    public Func<(int Status, string Body)> Answer { get; set; } = () => (200, "{\"rejected\":[]}");

    /// <summary>When set, writes the next answers itself instead of <see cref="Answer"/> (a gateway that misbehaves mid-answer).</summary>
    public Func<HttpContext, Task>? Respond { get; set; }

    public static async Task<FakePushEndpoint> StartAsync(int port = 0)
    {
        FakePushEndpoint? self = null;
        var web = await LoopbackWebApp.StartAsync(app => app.Run(async ctx =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body);
            if (self!.Respond is { } respond)
            {
                self._received.Writer.TryWrite(new Received(ctx.Request.Path, new HeaderDictionary(ctx.Request.Headers.ToDictionary()), body.ToArray(), 200));
                await respond(ctx);
                return;
            }
            var (status, json) = self.Answer();
            self._received.Writer.TryWrite(new Received(ctx.Request.Path, new HeaderDictionary(ctx.Request.Headers.ToDictionary()), body.ToArray(), status));
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(json);
        }), port);
        self = new FakePushEndpoint(web);
        return self;
    }

    /// <summary>The next request, or a failure after <paramref name="timeout"/>.</summary>
    public async Task<Received> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        try
        {
            return await _received.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException("the push endpoint received nothing");
        }
    }

    /// <summary>Asserts that nothing arrives for <paramref name="wait"/>.</summary>
    public async Task AssertQuietAsync(TimeSpan wait)
    {
        await Task.Delay(wait);
        if (_received.Reader.TryRead(out var r))
            throw new Xunit.Sdk.XunitException($"unexpected request to {r.Path}: {System.Text.Encoding.UTF8.GetString(r.Body)}");
    }

    public static int FreePort() => TestPorts.Free();

    public ValueTask DisposeAsync() => _web.DisposeAsync();
}
