using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Homeserver.Testing;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Cluster;

/// <summary>
/// Clients of the nodes behind nginx that keep going through node deaths as a real client does: a sender retrying
/// each message with its transaction ID until acknowledged, and syncing readers that resume from their last token.
/// </summary>
public static class NginxClusterClients
{
    /// <summary>A timeline limit above anything these tests send between two syncs, so a response never skips a gap.</summary>
    public const string Filter = """{"room":{"timeline":{"limit":1000}}}""";

    /// <summary>Sends <c>{label}-0</c>, <c>{label}-1</c>, … one after the other until stopped.</summary>
    public sealed class Sender(HttpClient client, string roomId, string label)
    {
        private readonly Dictionary<string, string> _acked = [];

        /// <summary>Body → event ID of every acknowledged send.</summary>
        public IReadOnlyDictionary<string, string> Acked => _acked;

        public int Retries { get; private set; }

        public async Task RunAsync(CancellationToken stop)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var body = $"{label}-{i}";
                // The send in flight when stopped still finishes, so every message attempted is acknowledged.
                _acked[body] = await SendUntilAcknowledgedAsync(body);
                await Task.Delay(20, CancellationToken.None);
            }
        }

        private async Task<string> SendUntilAcknowledgedAsync(string body)
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var res = await client.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/{body}",
                        new { msgtype = "m.text", body });
                    if (res.IsSuccessStatusCode)
                        return (await res.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("event_id").GetString()!;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                Retries++;
                if (watch.Elapsed > TimeSpan.FromSeconds(30))
                    throw new TimeoutException($"{body} was not acknowledged within 30 s");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A syncing client of one room: the message bodies in the order its syncs delivered them.</summary>
    public abstract class Reader(string roomId)
    {
        private readonly List<string> _bodies = [];

        public int Reconnects { get; protected set; }

        /// <summary>Whether a first response arrived (for a WebSocket: whether it is connected).</summary>
        public bool Started { get; private set; }

        public IReadOnlyList<string> Bodies()
        {
            lock (_bodies)
                return [.. _bodies];
        }

        protected void Take(JsonElement sync)
        {
            Started = true;
            if (!TryRoom(sync, "join", roomId, out var room))
                return;
            lock (_bodies)
                _bodies.AddRange(Events(room, "timeline").Where(e => Type(e) == "m.room.message")
                    .Select(e => e.GetProperty("content").GetProperty("body").GetString()!));
        }

        public abstract Task RunAsync(string since, CancellationToken stop);
    }

    public sealed class LongPollReader(HttpClient client, string roomId) : Reader(roomId)
    {
        public override async Task RunAsync(string since, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var res = await client.GetAsync(SyncPath(since, timeout: 2000, filter: Filter), stop);
                    if (res.IsSuccessStatusCode)
                    {
                        var sync = await res.Content.ReadFromJsonAsync<JsonElement>(stop);
                        Take(sync);
                        since = NextBatch(sync);
                        continue;
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                Reconnects++;
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    public sealed class WebSocketReader(TestNginx nginx, string accessToken, string roomId) : Reader(roomId)
    {
        public override async Task RunAsync(string since, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                using var ws = nginx.NewWebSocket();
                try
                {
                    await ws.ConnectAsync(nginx.WebSocketUri($"{SyncUrl}?access_token={Uri.EscapeDataString(accessToken)}&since={Uri.EscapeDataString(since)}&filter={Uri.EscapeDataString(Filter)}"), stop);
                    while (await ReceiveFrameAsync(ws, stop) is { } frame)
                    {
                        Take(frame);
                        since = NextBatch(frame);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (WebSocketException) { }
                Reconnects++;
                await Task.Delay(100, CancellationToken.None);
            }
        }

        /// <summary>The next sync response; null when the connection was closed.</summary>
        private static async Task<JsonElement?> ReceiveFrameAsync(ClientWebSocket ws, CancellationToken stop)
        {
            var buffer = new byte[1 << 20];
            var length = 0;
            ValueWebSocketReceiveResult r;
            do
            {
                r = await ws.ReceiveAsync(buffer.AsMemory(length), stop);
                length += r.Count;
            } while (!r.EndOfMessage);
            return r.MessageType == WebSocketMessageType.Close ? null : JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
        }
    }
}
