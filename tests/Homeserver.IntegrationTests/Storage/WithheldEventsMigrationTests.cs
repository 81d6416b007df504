using Homeserver.Core.Storage;
using Homeserver.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Homeserver.IntegrationTests.Storage;

/// <summary>
/// Migration 0041 records, for the redactions stored before it, the verdict reads used to make each time: a redaction
/// whose target is another room's event (in the timeline or an outlier) is withheld, and one whose target is not
/// held waits for it. Where the target lies in the PDU follows the room's version.
/// </summary>
public sealed class WithheldEventsMigrationTests
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task StoredRedactions_AreWithheldOrAwaitTheirTarget_AsReadsJudgedThem(string engine)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        await using var db = new Database(options.Database, options.DataDir, NullLoggerFactory.Instance);
        var migrator = new Migrator(db, NullLogger<Migrator>.Instance);
        await migrator.MigrateAsync(40, default);
        await db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync("""
                INSERT INTO rooms (room_id, room_version, creator, created_ts) VALUES ('!ten:x', '10', '@a:x', 0), ('!eleven:x', '11', '@a:x', 0)
                """, null, default, tx);
            await c.RunAsync("""
                INSERT INTO outlier_events (event_id, room_id, event_type, sender, depth, origin_server_ts, json, received_ts) VALUES
                ('$outlier', '!ten:x', 'm.room.member', '@b:y', 1, 0, '{}', 0)
                """, null, default, tx);
            await c.RunAsync("""
                INSERT INTO events (stream_ordering, event_id, room_id, event_type, sender, depth, origin_server_ts, json) VALUES
                (1, '$ten', '!ten:x', 'm.room.message', '@a:x', 1, 0, '{"content":{"body":"hi"}}'),
                (2, '$eleven', '!eleven:x', 'm.room.message', '@a:x', 1, 0, '{"content":{"body":"hi"}}'),
                (3, '$topLevelElsewhere', '!ten:x', 'm.room.redaction', '@b:y', 2, 0, '{"redacts":"$eleven","content":{}}'),
                (4, '$inContentElsewhere', '!eleven:x', 'm.room.redaction', '@b:y', 2, 0, '{"content":{"redacts":"$ten"}}'),
                (5, '$ofAnOutlierElsewhere', '!eleven:x', 'm.room.redaction', '@b:y', 3, 0, '{"content":{"redacts":"$outlier"}}'),
                (6, '$here', '!eleven:x', 'm.room.redaction', '@b:y', 4, 0, '{"content":{"redacts":"$eleven"}}'),
                (7, '$inTheWrongPlace', '!eleven:x', 'm.room.redaction', '@b:y', 5, 0, '{"redacts":"$ten","content":{}}'),
                (8, '$ofTheUnknown', '!ten:x', 'm.room.redaction', '@b:y', 3, 0, '{"redacts":"$later","content":{}}')
                """, null, default, tx);
        }, default);

        await migrator.MigrateAsync(default);

        var withheld = await db.ReadAsync(c => c.ListAsync<string>("SELECT event_id FROM events WHERE withheld = TRUE ORDER BY stream_ordering", null, default), default);
        Assert.Equal(["$topLevelElsewhere", "$inContentElsewhere", "$ofAnOutlierElsewhere"], withheld);
        var awaited = await db.ReadAsync(c => c.ListAsync<string>("SELECT event_id || ' ' || room_id || ' ' || redacts FROM awaited_redactions", null, default), default);
        Assert.Equal(["$ofTheUnknown !ten:x $later"], awaited);
    }
}
