using Homeserver.Core.Events;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Push;

/// <summary>
/// Evaluates the recipients' push rules before an event's transaction and writes their actions inside it, so the
/// <c>event_push_actions</c> queue holds every committed event's notifications; the push-actions stream then tells
/// push delivery whom to look at.
/// </summary>
public sealed class PushActionsStep(EventPushEvaluator evaluator, TimeProvider time) : IEventTransactionStep
{
    public async Task<Func<StreamTransaction, long, Task>?> PrepareAsync(IngestContext ctx, CancellationToken ct)
    {
        var (pdu, stateGroupBefore) = (ctx.Event, ctx.StateBefore?.Group);
        var decisions = await evaluator.EvaluateAsync(pdu, stateGroupBefore, ct);
        if (decisions.Count == 0)
            return null;
        return async (st, streamOrdering) =>
        {
            await PushActionsStore.InsertAsync(st.Connection, st.Transaction, pdu.RoomId.ToString(), pdu.EventId.ToString(), streamOrdering,
                decisions, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            st.PublishAfterCommit(new StreamUpdate(StreamNames.PushActions, streamOrdering, decisions.Select(d => d.UserId).Distinct().ToList())
            {
                RoomId = pdu.RoomId.ToString(),
            });
        };
    }
}
