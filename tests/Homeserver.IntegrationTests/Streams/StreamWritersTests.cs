using Homeserver.Core.Storage;
using Homeserver.Core.Streams;
using Homeserver.Core.Sync;
using Homeserver.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Homeserver.IntegrationTests.Streams;

/// <summary>
/// Several writer instances (nodes) on one database: positions never collide, readers never pass a write still in
/// flight on another writer, and a token taken across writers orders with the ones after it.
/// </summary>
public sealed class StreamWritersTests
{
    private const string Stream = StreamNames.Events;

    private static async Task<Database> NewDatabaseAsync(string engine)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        var db = new Database(options.Database, options.DataDir, NullLoggerFactory.Instance);
        await new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync(default);
        return db;
    }

    private static Task<long> DrawAsync(Database db, WriterInstance writer) =>
        db.WriteAsync((c, tx) => StreamAllocator.NextAsync(c, tx, writer, Stream, default), default);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TwoWriters_DrawingConcurrently_NeverCollide(string engine)
    {
        await using var db = await NewDatabaseAsync(engine);
        WriterInstance a = new("node-a"), b = new("node-b");
        var draws = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => DrawAsync(db, i % 2 == 0 ? a : b)));
        Assert.Equal(draws.Length, draws.Distinct().Count());
        // Once both are idle, readers stand at the last position drawn.
        await new StreamPositions(db).CatchUpIdleWritersAsync(default);
        Assert.Equal(draws.Max(), (await new StreamPositions(db).ReadAsync(default)).Of(Stream));
    }

    [Fact]
    public async Task Readers_StopBelowAWriteInFlightOnAnotherWriter_AndTokensAcrossWritersOrder()
    {
        await using var db = await NewDatabaseAsync("postgres");
        var positions = new StreamPositions(db);
        WriterInstance a = new("node-a"), b = new("node-b");
        await DrawAsync(db, a);
        await DrawAsync(db, b);
        await positions.CatchUpIdleWritersAsync(default);
        var before = SyncToken.From((await positions.ReadAsync(default)).Positions);

        // Writer A draws and holds its transaction open; writer B draws a higher position and commits.
        var drawn = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = db.WriteAsync(async (c, tx) =>
        {
            var p = await StreamAllocator.NextAsync(c, tx, a, Stream, default);
            drawn.SetResult(p);
            await release.Task;
            return p;
        }, default);
        var pA = await drawn.Task;
        var pB = await DrawAsync(db, b);
        Assert.True(pB > pA);

        await positions.CatchUpIdleWritersAsync(default);
        var during = SyncToken.From((await positions.ReadAsync(default)).Positions);
        Assert.True(during.Events < pA, $"a reader at {during.Events} would skip position {pA}, still in flight");

        release.SetResult();
        await inFlight;
        await positions.CatchUpIdleWritersAsync(default);
        var after = SyncToken.From((await positions.ReadAsync(default)).Positions);
        Assert.Equal(pB, after.Events);

        Assert.True(before.IsAtOrBefore(during) && during.IsAtOrBefore(after));
        Assert.False(after.IsAtOrBefore(during));
        // Each of the two writes falls in exactly one window between consecutive tokens, so none is missed or repeated.
        foreach (var p in new[] { pA, pB })
            Assert.Equal(1, new[] { (before, during), (during, after) }.Count(w => p > w.Item1.Events && p <= w.Item2.Events));
        // A token handed out by one node parses and compares the same on another.
        Assert.Equal(after, SyncToken.Parse(after.ToString()));
    }

    [Fact]
    public async Task IdleWriters_AreMovedAlongByTheNextCommit()
    {
        await using var db = await NewDatabaseAsync("postgres");
        var positions = new StreamPositions(db);
        await DrawAsync(db, new WriterInstance("node-a"));
        var last = 0L;
        for (var i = 0; i < 3; i++)
            last = await DrawAsync(db, new WriterInstance("node-b"));
        // No catch-up ran: node-a, idle, was moved along by node-b's commits (migration 0040).
        Assert.False(await positions.AnyWriterBehindAsync(default));
        Assert.Equal(last, (await positions.ReadAsync(default)).Of(Stream));
    }

    [Fact]
    public async Task AWriterRowLeftBehind_IsCaughtUp()
    {
        await using var db = await NewDatabaseAsync("postgres");
        var positions = new StreamPositions(db);
        await DrawAsync(db, new WriterInstance("node-b"));
        var last = await DrawAsync(db, new WriterInstance("node-a"));
        // As two commits at once may leave each other's row (each skips the row the other holds).
        await db.WriteAsync((c, tx) => c.RunAsync("UPDATE stream_positions SET position = 1 WHERE instance_name = 'node-b'", null, default, tx), default);
        Assert.True(await positions.AnyWriterBehindAsync(default));
        Assert.True((await positions.ReadAsync(default)).Of(Stream) < last);
        await positions.CatchUpIdleWritersAsync(default);
        Assert.False(await positions.AnyWriterBehindAsync(default));
        Assert.Equal(last, (await positions.ReadAsync(default)).Of(Stream));
    }

    [Fact]
    public async Task OneNodesWrites_DrawSideBySide_AndReadersWaitForTheOneInFlight()
    {
        await using var db = await NewDatabaseAsync("postgres");
        var positions = new StreamPositions(db);
        var slots = new WriterSlots(new WriterInstance("node-a"), db);
        async Task<long> SlotDrawAsync(Func<Task>? beforeCommit = null)
        {
            using var slot = await slots.RentAsync(default);
            return await db.WriteAsync(async (c, tx) =>
            {
                var p = await StreamAllocator.NextAsync(c, tx, slot.Writer, Stream, default);
                if (beforeCommit is not null)
                    await beforeCommit();
                return p;
            }, default);
        }
        await SlotDrawAsync();

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = SlotDrawAsync(async () => { held.SetResult(); await release.Task; });
        await held.Task;
        // With one row per node this draw waited for the write held open above; with a slot of its own it commits.
        var second = SlotDrawAsync();
        Assert.Same(second, await Task.WhenAny(second, Task.Delay(TimeSpan.FromSeconds(10))));
        var pB = await second;
        Assert.True((await positions.ReadAsync(default)).Of(Stream) < pB, "readers passed a position still in flight under another slot");

        release.SetResult();
        var pA = await inFlight;
        Assert.True(pA < pB);
        // The commit of the write in flight moved its own row to the stream's highest: both readable, no catch-up run.
        Assert.Equal(pB, (await positions.ReadAsync(default)).Of(Stream));
    }

    [Fact]
    public async Task SlotsOfOneNode_NeverExceedTheirNumber_AndNeverShareARow()
    {
        await using var db = await NewDatabaseAsync("postgres");
        var slots = new WriterSlots(new WriterInstance("node-a"), db);
        var rented = new List<WriterSlots.Slot>();
        for (var i = 0; i < WriterSlots.PostgresSlots; i++)
            rented.Add(await slots.RentAsync(default));
        Assert.Equal(WriterSlots.PostgresSlots, rented.Select(s => s.Writer.Name).Distinct().Count());
        Assert.Contains("node-a", rented.Select(s => s.Writer.Name));
        var waiting = slots.RentAsync(default);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        rented[3].Dispose();
        Assert.Equal(rented[3].Writer.Name, (await waiting).Writer.Name);
    }
}
