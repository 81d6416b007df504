using System.Data.Common;
using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Timeline;

/// <summary>
/// Redactions from other servers whose target was not held when they were stored (<see cref="Ingest.RedactionVerdict.TargetUnknown"/>).
/// When the target arrives, in the timeline or as an outlier, the redaction stops waiting; if the target is another
/// room's event, the redaction is withheld from clients from then on, as if the target had been there first.
/// </summary>
public static class AwaitedRedactionStore
{
    private const string Insert = """
        INSERT INTO awaited_redactions (event_id, room_id, redacts) VALUES (@EventId, @RoomId, @Redacts)
        ON CONFLICT (event_id) DO NOTHING
        """;
    private const string Withhold = "UPDATE events SET withheld = TRUE WHERE event_id = @EventId";

    private sealed class Awaited
    {
        public string EventId { get; set; } = "";
        public string RoomId { get; set; } = "";
        public string Redacts { get; set; } = "";
    }

    public static Task AwaitAsync(DbConnection c, DbTransaction tx, Pdu redaction, EventId target, CancellationToken ct) =>
        c.RunAsync(Insert, new { EventId = redaction.EventId.ToString(), RoomId = redaction.RoomId.ToString(), Redacts = target.ToString() }, ct, tx);

    /// <summary>Ends the wait of the redactions naming any of <paramref name="arrived"/>, withholding those of another room.</summary>
    public static async Task ArrivedAsync(DbConnection c, DbTransaction tx, IReadOnlyCollection<Pdu> arrived, CancellationToken ct)
    {
        var d = SqlDialect.Of(c);
        var sql = $"DELETE FROM awaited_redactions WHERE {d.InLongList("redacts", "EventIds")} RETURNING event_id, room_id, redacts";
        var ended = await c.ListAsync<Awaited>(sql, new { EventIds = d.ListParameter(arrived.Select(e => e.EventId.ToString())) }, ct, tx);
        if (ended.Count == 0)
            return;
        var roomOf = arrived.DistinctBy(e => e.EventId).ToDictionary(e => e.EventId.ToString(), e => e.RoomId.ToString());
        foreach (var redaction in ended.Where(r => roomOf[r.Redacts] != r.RoomId))
            await c.RunAsync(Withhold, new { redaction.EventId }, ct, tx);
    }
}
