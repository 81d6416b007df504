using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Homeserver.Core.InboundFederation.Edus;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.InboundFederation;

/// <summary>
/// Transactions other servers push (<c>PUT /_matrix/federation/v1/send/{txnId}</c>): each PDU processed by
/// <see cref="InboundPduHandler"/>, one room's PDUs in the order sent and different rooms side by side, and the
/// answer, an entry per PDU, kept per origin and transaction ID (<see cref="ReceivedTransactionStore"/>) so that a
/// retry, or the same transaction arriving twice at once, gets the same answer and applies nothing twice. EDUs follow
/// the PDUs (a receipt may mark an event of the same transaction), in the order sent, through <see cref="InboundEduHandler"/>.
/// </summary>
public sealed class InboundTransactionService(ReceivedTransactionStore answers, InboundPduHandler pdus, InboundEduHandler edus,
    TimeProvider time, ILogger<InboundTransactionService> log)
{
    // As Synapse bounds it: rooms waiting on other servers (keys, missing events) do not hold up the others, within reason.
    private const int RoomsInParallel = 10;

    private readonly ConcurrentDictionary<(string Origin, string TxnId), Task<string>> _inFlight = new();

    /// <summary>The answer to the transaction, as JSON text.</summary>
    /// <exception cref="Errors.MatrixException">The transaction is malformed, too large, or names another origin.</exception>
    public async Task<string> ReceiveAsync(string origin, string txnId, JsonObject body, CancellationToken ct)
    {
        var transaction = InboundTransaction.Read(origin, body);
        if (await answers.FindAsync(origin, txnId, ct) is { } earlier)
            return earlier;
        var key = (origin, txnId);
        var mine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _inFlight.GetOrAdd(key, mine.Task);
        if (running != mine.Task)
            return await running.WaitAsync(ct);
        try
        {
            // The first copy may have finished between the lookup above and taking its place.
            var answer = await answers.FindAsync(origin, txnId, ct) ?? await ProcessAsync(origin, txnId, transaction, ct);
            mine.SetResult(answer);
            return answer;
        }
        catch (Exception e)
        {
            mine.SetException(e);
            // Observed here, so that a copy nobody waited for does not surface as an unobserved exception.
            _ = mine.Task.Exception;
            throw;
        }
        finally
        {
            _inFlight.TryRemove(KeyValuePair.Create(key, mine.Task));
        }
    }

    private async Task<string> ProcessAsync(string origin, string txnId, InboundTransaction transaction, CancellationToken ct)
    {
        var order = new List<string>();
        var results = new ConcurrentDictionary<string, string?>();
        var byRoom = new Dictionary<string, List<InboundPduHandler.Parsed>>();
        foreach (var node in transaction.Pdus)
        {
            if (await pdus.ParseAsync(node, ct) is not { } parsed)
            {
                log.LogInformation("Ignored a PDU without a usable ID in transaction {TxnId} from {Origin}", txnId, origin);
                continue;
            }
            order.Add(parsed.Id);
            if (parsed.Event is not { } pdu)
            {
                results[parsed.Id] = parsed.Error;
                continue;
            }
            var room = pdu.RoomId.ToString();
            if (!byRoom.TryGetValue(room, out var list))
                byRoom[room] = list = [];
            list.Add(parsed);
        }
        var earlier = await pdus.VerdictsAsync(byRoom.Values.SelectMany(l => l).Select(p => p.Id).Distinct().ToList(), ct);
        await Parallel.ForEachAsync(byRoom.Values, new ParallelOptions { MaxDegreeOfParallelism = RoomsInParallel, CancellationToken = ct },
            async (roomPdus, token) =>
            {
                foreach (var parsed in roomPdus)
                    results[parsed.Id] = await pdus.HandleAsync(origin, parsed.Event!, earlier.GetValueOrDefault(parsed.Id), token);
            });
        foreach (var edu in transaction.Edus)
            await edus.HandleAsync(origin, edu, ct);
        var answer = new JsonObject();
        foreach (var id in order.Distinct())
            answer[id] = results[id] is { } error ? new JsonObject { ["error"] = error } : new JsonObject();
        var text = new JsonObject { ["pdus"] = answer }.ToJsonString();
        await answers.SaveAsync(origin, txnId, text, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        var refused = results.Count(r => r.Value is not null);
        log.LogDebug("Transaction {TxnId} from {Origin}: {Pdus} PDUs ({Refused} refused), {Edus} EDUs",
            txnId, origin, order.Count, refused, transaction.Edus.Count);
        return text;
    }

    /// <summary>Forgets answers older than <see cref="ReceivedTransactionStore.KeptFor"/>.</summary>
    public Task PruneAsync(CancellationToken ct) =>
        answers.PruneAsync((time.GetUtcNow() - ReceivedTransactionStore.KeptFor).ToUnixTimeMilliseconds(), ct);
}
