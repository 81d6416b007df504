using System.Net;
using System.Net.WebSockets;
using System.Text;
using Homeserver.IntegrationTests.Sync;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 12, found again by the re-test: a lone surrogate in JSON that arrives outside a request body
/// (an inline <c>filter</c> query parameter of <c>/sync</c> or <c>/messages</c>, a WebSocket sync command) answered
/// 500, because a parsed tree decodes its strings only when read. Such JSON is now graded as the body is.
/// </summary>
public sealed class LoneSurrogateInFilterTests
{
    private static readonly string[] Filters = ["{\"\\ud800\":1}", "{\"room\":{\"\\udc00\":{}}}", "{\"room\":{\"rooms\":[\"\\ud800\"]}}"];

    [Fact]
    public async Task InAnInlineFilter_IsAClientError_AndLogsNoError()
    {
        var logs = new CapturingLoggerProvider();
        var options = await TestHomeserver.CreateOptionsAsync("sqlite");
        await using var hs = await TestHomeserver.StartAsync(options, b => b.Services.AddSingleton<ILoggerProvider>(logs));
        using var alice = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await alice.CreateRoomAsync();

        foreach (var filter in Filters)
        {
            var q = Uri.EscapeDataString(filter);
            var sync = await alice.GetAsync($"/_matrix/client/v3/sync?timeout=0&filter={q}");
            Assert.Equal(HttpStatusCode.BadRequest, sync.StatusCode);
            await sync.AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
            await (await alice.GetRoomAsync(roomId, $"messages?dir=b&filter={q}")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        }
        Assert.DoesNotContain(logs.Lines, l => l.Contains("Unhandled error"));
    }

    [Fact]
    public async Task InAWebSocketCommand_ClosesAsTheProtocolSaysForABadCommand()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite");
        var alice = await hs.RegisterAsync();
        foreach (var command in Filters.Select(f => "{\"filter\":" + f + "}").Append("{\"\\ud800\":1}"))
        {
            using var ws = await SyncClient.ConnectAsync(hs, alice);
            Assert.NotNull(await SyncClient.ReceiveAsync(ws, TimeSpan.FromSeconds(10)));
            await ws.SendAsync(Encoding.UTF8.GetBytes(command), WebSocketMessageType.Text, true, CancellationToken.None);

            // A command that is not valid JSON closes with 1007 and M_BAD_JSON (docs/websocket-sync.md), not an abort.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (ws.State == WebSocketState.Open && DateTime.UtcNow < deadline)
                await SyncClient.ReceiveAsync(ws, TimeSpan.FromSeconds(2));
            Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, ws.CloseStatus);
            Assert.Equal("M_BAD_JSON", ws.CloseStatusDescription);
        }
    }
}
