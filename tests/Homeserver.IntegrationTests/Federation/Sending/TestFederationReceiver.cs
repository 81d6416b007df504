using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Keys;
using Homeserver.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Homeserver.IntegrationTests.Federation.Sending;

/// <summary>
/// Another homeserver as far as our sender can tell: <c>localhost:PORT</c> over TLS with a certificate of the test CA,
/// publishing its signing key, and taking <c>PUT /_matrix/federation/v1/send/{txnId}</c> with the answer the test
/// chooses, recording every request, with its X-Matrix header checked against the sending server's key.
/// </summary>
internal sealed class TestFederationReceiver : IAsyncDisposable
{
    public sealed record Received(string TxnId, JsonObject Body, bool SignedBySender, DateTimeOffset At, HttpStatusCode Answer)
    {
        public IReadOnlyList<JsonObject> Pdus => Body["pdus"]!.AsArray().Select(p => p!.AsObject()).ToList();
    }

    private readonly ConcurrentQueue<Received> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private LoopbackWebApp? _web;

    private TestFederationReceiver(int port, SigningKey key)
    {
        ServerName = $"localhost:{port}";
        Key = key;
    }

    public string ServerName { get; }
    public SigningKey Key { get; }

    /// <summary>The status <c>/send</c> answers; 200 answers with an empty result per PDU.</summary>
    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    /// <summary>While set, <c>/send</c> waits for it before answering: a transaction held in flight.</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>The sending server whose X-Matrix signature is checked: its name and key.</summary>
    public (string Name, SigningKey Key)? Sender { get; set; }

    public IReadOnlyList<Received> Transactions => _received.ToList();

    /// <summary>Requests to <c>/send</c> that arrived, answered or still held.</summary>
    public int Arrivals => Volatile.Read(ref _arrivals);

    private int _arrivals;

    /// <summary>The PDUs of the transactions answered 200, in the order they came.</summary>
    public IReadOnlyList<JsonObject> AcceptedPdus { get; private set; } = [];

    private readonly List<JsonObject> _accepted = [];

    public static async Task<TestFederationReceiver> StartAsync(TestCertificateAuthority ca, int? port = null)
    {
        var (certificatePath, keyPath) = ca.Issue();
        // The port is chosen first: the server's name, which its answers carry, holds it.
        var listenPort = port ?? TestPorts.Free();
        var receiver = new TestFederationReceiver(listenPort, SigningKey.Generate());
        receiver._web = await LoopbackWebApp.StartAsync(app =>
        {
            app.MapGet("/_matrix/key/v2/server", receiver.KeyResponse);
            app.MapPut("/_matrix/federation/v1/send/{txnId}", receiver.ReceiveAsync);
        }, listenPort, X509Certificate2.CreateFromPemFile(certificatePath, keyPath));
        return receiver;
    }

    /// <summary>Waits until at least <paramref name="count"/> accepted PDUs arrived, or fails after a generous time.</summary>
    public async Task<IReadOnlyList<JsonObject>> WaitForPdusAsync(int count, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        while (AcceptedPdus.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{ServerName} received {AcceptedPdus.Count} PDUs, expected {count}");
            }
        }
        return AcceptedPdus;
    }

    /// <summary>Waits until at least <paramref name="count"/> transactions arrived, whatever they were answered.</summary>
    public async Task WaitForTransactionsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (_received.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{ServerName} received {_received.Count} transactions, expected {count}");
            }
        }
    }

    private IResult KeyResponse()
    {
        var response = new JsonObject
        {
            ["server_name"] = ServerName,
            ["valid_until_ts"] = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds(),
            ["verify_keys"] = new JsonObject { [Key.KeyId] = new JsonObject { ["key"] = Key.PublicKeyBase64 } },
            ["old_verify_keys"] = new JsonObject(),
        };
        JsonSigning.SignJson(response, ServerName, Key);
        return Results.Text(response.ToJsonString(), "application/json");
    }

    private async Task<IResult> ReceiveAsync(HttpContext ctx, string txnId)
    {
        var body = (await JsonNode.ParseAsync(ctx.Request.Body))!.AsObject();
        var signed = Sender is { } sender && XMatrixAuthorization.TryParse(ctx.Request.Headers.Authorization.ToString(), out var credentials)
            && credentials!.Origin == sender.Name
            && XMatrixAuthorization.Verify(credentials, sender.Key.PublicKey.ToArray(), ServerName, "PUT", ctx.Request.Path.ToString(), body);
        var at = DateTimeOffset.UtcNow;
        Interlocked.Increment(ref _arrivals);
        if (Hold is { } hold)
            await hold.Task;
        var status = Status;
        if (status == HttpStatusCode.OK)
            lock (_accepted)
            {
                _accepted.AddRange(body["pdus"]!.AsArray().Select(p => p!.AsObject()));
                AcceptedPdus = _accepted.ToList();
            }
        _received.Enqueue(new Received(txnId, body, signed, at, status));
        _arrived.Release();
        return status == HttpStatusCode.OK
            ? Results.Json(new JsonObject { ["pdus"] = new JsonObject() })
            : Results.Json(new JsonObject { ["errcode"] = "M_UNKNOWN", ["error"] = "down" }, statusCode: (int)status);
    }

    public async ValueTask DisposeAsync()
    {
        if (_web is not null)
            await _web.DisposeAsync();
        Key.Dispose();
    }
}
