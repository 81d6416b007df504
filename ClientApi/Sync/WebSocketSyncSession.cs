using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Errors;
using Homeserver.Core.Presence;
using Homeserver.Core.Sync;
using Homeserver.Http.Auth;
using Homeserver.Http.Json;
using Microsoft.AspNetCore.Http;

namespace ClientApi.Sync;

/// <summary>
/// One WebSocket sync connection (protocol in docs/websocket-sync.md): the server sends each non-empty sync
/// response as a text frame, the moment it exists, continuing from the last <c>next_batch</c> it sent; the
/// client may send <c>{"filter": …}</c> or <c>{"set_presence": …}</c> frames. At most one response is in
/// flight, so a slow reader holds back computing, not memory; one that takes too long is disconnected and
/// resumes from its last token.
/// </summary>
public sealed class WebSocketSyncSession(WebSocket socket, Requester requester, SyncService sync, SessionValidator sessions, PresenceService presence)
{
    /// <summary>How long the server waits for news before re-checking the session (a revoked token closes the socket).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);
    public const int MaxIncomingFrameBytes = 64 * 1024;
    private const int FirstFrameBufferBytes = 1024;

    private volatile SyncFilter _filter = SyncFilter.Default;
    private volatile string? _setPresence;

    // Cancelled by a filter change, so a wait that started under the old filter restarts under the new one.
    private volatile CancellationTokenSource _filterChanged = new();

    public async Task RunAsync(SyncToken? since, SyncFilter filter, string? setPresence, CancellationToken ct)
    {
        _filter = filter;
        _setPresence = setPresence;
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = ReceiveAsync(closed);
        try
        {
            var first = true;
            while (!closed.IsCancellationRequested)
            {
                if (!await requester.IsLiveAsync(sessions, closed.Token))
                {
                    await CloseAsync(WebSocketCloseStatus.PolicyViolation, ErrorCodes.UnknownToken, CancellationToken.None);
                    return;
                }
                // Every round counts as syncing, so an open socket keeps its user online.
                await presence.OnSyncAsync(requester.UserId, _setPresence, closed.Token);
                if (await RoundAsync(since, first, closed) is not { } next)
                    return;
                since = next.Since;
                first &= !next.Answered;
            }
        }
        catch (MatrixException e) when (e.Errcode == ErrorCodes.UnknownToken)
        {
            await CloseAsync(WebSocketCloseStatus.PolicyViolation, ErrorCodes.UnknownToken, CancellationToken.None);
        }
        catch (OperationCanceledException) when (closed.IsCancellationRequested)
        {
            // The client closed the connection or the server is stopping.
        }
        catch (WebSocketException)
        {
            // The connection broke; the client resumes from the last token it received.
        }
        finally
        {
            // After our close frame, give the client a moment to answer it: cancelling the pending receive
            // aborts the socket, which could discard the close frame before it leaves.
            if (socket.State == WebSocketState.CloseSent)
                await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
            await closed.CancelAsync();
            await reader;
        }
    }

    /// <summary>Where the next round continues from; <paramref name="Answered"/> is false when a filter change cut the round short.</summary>
    private readonly record struct Round(SyncToken? Since, bool Answered);

    /// <summary>
    /// Computes and sends one response; null when the connection is done. A method of its own so the response
    /// is unreachable once sent: held by the loop, it would stay alive through the idle wait that follows.
    /// </summary>
    private async Task<Round?> RoundAsync(SyncToken? since, bool first, CancellationTokenSource closed)
    {
        var changed = _filterChanged;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(closed.Token, changed.Token);
        SyncService.SyncResult result;
        try
        {
            var request = new SyncService.SyncRequest(requester.UserId, requester.DeviceId, since, _filter, FullState: false) { ConfirmsDelivery = first };
            result = await sync.SyncAsync(request, first ? TimeSpan.Zero : PollInterval, wait.Token,
                () => requester.IsLiveAsync(sessions, closed.Token));
        }
        catch (OperationCanceledException) when (changed.IsCancellationRequested && !closed.IsCancellationRequested)
        {
            return new Round(since, Answered: false);
        }
        // Empty answers are not sent; the position still moves on, as nothing in between concerned this user.
        if ((first || !result.IsEmpty) && !await SendAsync(result.Response, closed.Token))
            return null;
        return new Round(result.NextBatch, Answered: true);
    }

    private async Task<bool> SendAsync(JsonObject response, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(response, MatrixJson.Options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(SendTimeout);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The client is not reading: drop it rather than buffer for it.
            socket.Abort();
            return false;
        }
    }

    /// <summary>Reads client frames until the connection closes; cancels the session when it does.</summary>
    private async Task ReceiveAsync(CancellationTokenSource closed)
    {
        try
        {
            while (!closed.IsCancellationRequested)
            {
                // Clients rarely send, so an idle connection waits with an empty read, which returns once a frame
                // starts arriving, and holds no buffer at all (docs/performance.md, "Memory per connection").
                var result = await socket.ReceiveAsync(Memory<byte>.Empty, closed.Token);
                var buffer = Array.Empty<byte>();
                var length = 0;
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close)
                {
                    if (length == MaxIncomingFrameBytes)
                    {
                        await CloseAsync(WebSocketCloseStatus.MessageTooBig, "frames are limited to 64 KiB", CancellationToken.None);
                        return;
                    }
                    if (length == buffer.Length)
                        Array.Resize(ref buffer, Math.Clamp(buffer.Length * 4, FirstFrameBufferBytes, MaxIncomingFrameBytes));
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), closed.Token);
                    length += result.Count;
                }
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }
                if (!Apply(buffer.AsSpan(0, length), out var presenceChanged))
                {
                    await CloseAsync(WebSocketCloseStatus.InvalidPayloadData, ErrorCodes.BadJson, CancellationToken.None);
                    return;
                }
                if (presenceChanged)
                    await presence.AppearAsync(requester.UserId, _setPresence!, closed.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            await closed.CancelAsync();
        }
    }

    /// <summary>A client command: a new filter applies from the next response; a presence change applies at once.</summary>
    private bool Apply(ReadOnlySpan<byte> frame, out bool presenceChanged)
    {
        presenceChanged = false;
        try
        {
            if (Homeserver.Core.Json.JsonText.Parse(System.Text.Encoding.UTF8.GetString(frame)) is not JsonObject command)
                return false;
            if (command["filter"] is JsonObject inline)
            {
                _filter = SyncFilter.FromJson(inline.ToJsonString());
                var previous = _filterChanged;
                _filterChanged = new CancellationTokenSource();
                previous.Cancel();
            }
            if (command["set_presence"] is { } p)
            {
                if (p is not JsonValue v || !v.TryGetValue<string>(out var state) || !PresenceService.IsState(state))
                    return false;
                _setPresence = state;
                presenceChanged = true;
            }
            return command["filter"] is null or JsonObject;
        }
        catch (Exception e) when (e is JsonException or MatrixException)
        {
            return false;
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason, CancellationToken ct)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(status, reason, ct);
            }
            catch (WebSocketException)
            {
            }
        }
    }
}
