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
    public async Task IdleWriter_HoldsReadersBackOnlyUntilCaughtUp()
    {
        await using var db = await NewDatabaseAsync("postgres");
        var positions = new StreamPositions(db);
        await DrawAsync(db, new WriterInstance("node-a"));
        var last = 0L;
        for (var i = 0; i < 3; i++)
            last = await DrawAsync(db, new WriterInstance("node-b"));
        Assert.True(await positions.AnyWriterBehindAsync(default));
        Assert.True((await positions.ReadAsync(default)).Of(Stream) < last);
        await positions.CatchUpIdleWritersAsync(default);
        Assert.False(await positions.AnyWriterBehindAsync(default));
        Assert.Equal(last, (await positions.ReadAsync(default)).Of(Stream));
    }
}
