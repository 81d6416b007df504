using System.Buffers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Homeserver.Bench.Infrastructure;

namespace Homeserver.Bench.Targets;

/// <summary>The homeserver, driven through its real client API: registration, rooms, /send, /sync and WebSocket sync.</summary>
public sealed class MatrixTarget : IChatTarget
{
    private const int SetupParallelism = 16;
    // Big enough that a receiver never sees a limited timeline at the benchmark's rates.
    private static readonly string Filter = Uri.EscapeDataString("""{"room":{"timeline":{"limit":100}}}""");
    private readonly Uri _baseAddress;
    private readonly SocketsHttpHandler _httpHandler;
    private readonly HttpMessageInvoker _wsInvoker;
    private readonly HttpClient _http;
    private int _users;

    public MatrixTarget(Uri baseAddress, LoopbackConnector connector)
    {
        _baseAddress = baseAddress;
        _httpHandler = connector.CreateHandler();
        _http = new HttpClient(_httpHandler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _wsInvoker = new HttpMessageInvoker(connector.CreateHandler());
    }

    public string Name => "homeserver";
    public HttpClient Http => _http;

    public async Task<string> RegisterAsync(CancellationToken ct)
    {
        var localpart = $"bench{Interlocked.Increment(ref _users)}_{Guid.NewGuid().ToString("N")[..6]}";
        const string password = "bench password 1";
        var challenge = await _http.PostAsJsonAsync("/_matrix/client/v3/register", new { username = localpart, password }, ct);
        var session = (await challenge.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("session").GetString();
        var done = await _http.PostAsJsonAsync("/_matrix/client/v3/register",
            new { username = localpart, password, auth = new { type = "m.login.dummy", session } }, ct);
        return (await OkJsonAsync(done, ct)).GetProperty("access_token").GetString()!;
    }

    public async Task<string> CreateRoomAsync(string token, object body, CancellationToken ct)
    {
        using var req = Authed(HttpMethod.Post, "/_matrix/client/v3/createRoom", token);
        req.Content = JsonContent.Create(body);
        return (await OkJsonAsync(await _http.SendAsync(req, ct), ct)).GetProperty("room_id").GetString()!;
    }

    public Task<IReadOnlyList<BenchRoom>> CreateRoomsAsync(int rooms, int receiversPerRoom, CancellationToken ct) =>
        CreateRoomsAsync(rooms, receiversPerRoom, this, null, ct);

    /// <summary>
    /// Rooms created by senders of this server; their receivers are accounts of <paramref name="receiversOn"/>,
    /// which join through <paramref name="via"/> (this server's name) when that is another server.
    /// </summary>
    public async Task<IReadOnlyList<BenchRoom>> CreateRoomsAsync(int rooms, int receiversPerRoom, MatrixTarget receiversOn, string? via,
        CancellationToken ct)
    {
        var senders = await RegisterManyAsync(Math.Min(rooms, SetupParallelism), ct);
        var receivers = await receiversOn.RegisterManyAsync(rooms * receiversPerRoom, ct);
        var result = new BenchRoom[rooms];
        // Each sender creates its rooms one after another: two v12 create events of one sender in the same
        // millisecond are identical and would name the same room.
        await Parallel.ForAsync(0, senders.Count, new ParallelOptions { MaxDegreeOfParallelism = SetupParallelism, CancellationToken = ct }, async (s, ct) =>
        {
            for (var i = s; i < rooms; i += senders.Count)
            {
                var members = receivers.Skip(i * receiversPerRoom).Take(receiversPerRoom).ToList();
                var roomId = await CreateRoomAsync(senders[s], new { preset = "public_chat" }, ct);
                await Parallel.ForEachAsync(members, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
                    async (member, ct) => await receiversOn.JoinAsync(member, roomId, via, ct));
                result[i] = new BenchRoom(roomId, senders[s], members);
            }
        });
        return result;
    }

    public async Task JoinAsync(string token, string roomId, string? via, CancellationToken ct)
    {
        var query = via is null ? "" : "?server_name=" + Uri.EscapeDataString(via);
        using var join = Authed(HttpMethod.Post, $"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}{query}", token);
        join.Content = JsonContent.Create(new { });
        await OkJsonAsync(await _http.SendAsync(join, ct), ct);
    }

    public Task SendAsync(BenchRoom room, string messageId, CancellationToken ct) => SendTextAsync(room.SenderToken, room.Id, messageId, ct);

    public async Task SendTextAsync(string token, string roomId, string body, CancellationToken ct)
    {
        using var req = Authed(HttpMethod.Put,
            $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/{Uri.EscapeDataString(body)}", token);
        req.Content = JsonContent.Create(new { msgtype = "m.text", body });
        using var res = await _http.SendAsync(req, ct);
        if (!res.IsSuccessStatusCode)
            throw new HttpRequestException($"send answered {(int)res.StatusCode}");
    }

    public async Task<IAsyncDisposable> ConnectAsync(BenchRoom room, string receiverToken, Transport transport, Action<string> onMessage, CancellationToken ct)
    {
        if (transport == Transport.WebSocket)
        {
            var ws = new ClientWebSocket();
            ws.Options.KeepAliveInterval = TimeSpan.Zero;
            var uri = new UriBuilder(_baseAddress) { Scheme = "ws", Path = "/_matrix/client/v3/sync", Query = $"access_token={receiverToken}&filter={Filter}" }.Uri;
            await ws.ConnectAsync(uri, _wsInvoker, ct);
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            if (!await ReceiverLoop.ReadMessageAsync(ws, buffer, ct))
                throw new WebSocketException("closed before the first sync frame");
            SyncResponse.Read(buffer.WrittenMemory, _ => { });
            return ReceiverLoop.Start(async stop =>
            {
                while (await ReceiverLoop.ReadMessageAsync(ws, buffer, stop))
                    SyncResponse.Read(buffer.WrittenMemory, onMessage);
            }, ct, ws);
        }

        var since = await SyncAsync(receiverToken, null, 0, _ => { }, ct);
        return ReceiverLoop.Start(async stop =>
        {
            while (!stop.IsCancellationRequested)
                since = await SyncAsync(receiverToken, since, 30000, onMessage, stop);
        }, ct);
    }

    public async Task<string> SyncAsync(string token, string? since, int timeoutMs, Action<string> onMessage, CancellationToken ct, string? filter = null)
    {
        var query = $"?timeout={timeoutMs}&filter={filter ?? Filter}" + (since is null ? "" : $"&since={Uri.EscapeDataString(since)}");
        using var req = Authed(HttpMethod.Get, "/_matrix/client/v3/sync" + query, token);
        using var res = await _http.SendAsync(req, HttpCompletionOption.ResponseContentRead, ct);
        if (!res.IsSuccessStatusCode)
            throw new HttpRequestException($"sync answered {(int)res.StatusCode}");
        return SyncResponse.Read(await res.Content.ReadAsByteArrayAsync(ct), onMessage);
    }

    public static HttpRequestMessage Authed(HttpMethod method, string path, string token)
    {
        var req = new HttpRequestMessage(method, path);
        req.Headers.Authorization = new("Bearer", token);
        return req;
    }

    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage res, CancellationToken ct)
    {
        using (res)
        {
            var body = await res.Content.ReadFromJsonAsync<JsonElement>(ct);
            if (!res.IsSuccessStatusCode)
                throw new HttpRequestException($"{res.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)res.StatusCode}: {body}");
            return body;
        }
    }

    public async Task<IReadOnlyList<string>> RegisterManyAsync(int count, CancellationToken ct)
    {
        var tokens = new string[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = SetupParallelism, CancellationToken = ct },
            async (i, ct) => tokens[i] = await RegisterAsync(ct));
        return tokens;
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        _httpHandler.Dispose();
        _wsInvoker.Dispose();
        return ValueTask.CompletedTask;
    }
}
