using Homeserver.Core.Storage;
using Homeserver.Core.Streams;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Streams;

/// <summary>The bus of the running server: an update is heard only once its write can be read, and never for a write that rolled back.</summary>
public sealed class StreamBusTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string Insert = """
        INSERT INTO account_data (user_id, room_id, data_type, content, stream_id) VALUES (@UserId, '', 'm.test', '{}', @StreamId)
        """;
    private const string SelectStreamId = "SELECT stream_id FROM account_data WHERE user_id = @UserId AND data_type = 'm.test'";

    private static string NewUser() => $"@bus{Guid.NewGuid():N}:{TestHomeserver.ServerName}";

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Update_IsPublishedAfterTheCommit_WhenItsRowAndPositionAreVisible(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (db, bus, publisher, positions) = Resolve(hs);
        var user = NewUser();
        var heard = new TaskCompletionSource<(long? Row, long Position, long Published)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = bus.Subscribe([StreamNames.AccountData], async (u, ct) =>
        {
            if (!u.Users.Contains(user))
                return;
            // Read on another connection, as any other reader would.
            var row = await db.ReadAsync(c => c.FirstOrDefaultAsync<long?>(SelectStreamId, new { UserId = user }, ct), ct);
            heard.TrySetResult((row, (await positions.ReadAsync(ct)).Of(StreamNames.AccountData), u.Position));
        });

        var written = await publisher.WriteAsync(async st =>
        {
            var id = await st.NextAsync(StreamNames.AccountData, default);
            await st.Connection.RunAsync(Insert, new { UserId = user, StreamId = id }, default, st.Transaction);
            st.PublishAfterCommit(new StreamUpdate(StreamNames.AccountData, id, [user]));
            Assert.False(heard.Task.IsCompleted);
            return id;
        }, default);

        Assert.True(heard.Task.IsCompleted, "the update is delivered before the write returns");
        var (rowSeen, positionSeen, published) = await heard.Task;
        Assert.Equal(written, published);
        Assert.Equal(written, rowSeen);
        Assert.True(positionSeen >= written, $"readers stood at {positionSeen}, before the published {written}");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RolledBackWrite_PublishesNothing_AndLeavesNothing(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (db, bus, publisher, _) = Resolve(hs);
        var user = NewUser();
        var heard = 0;
        using var _ = bus.Subscribe([], (u, _) =>
        {
            if (u.Users.Contains(user))
                Interlocked.Increment(ref heard);
            return ValueTask.CompletedTask;
        });

        await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.WriteAsync(async st =>
        {
            var id = await st.NextAsync(StreamNames.AccountData, default);
            await st.Connection.RunAsync(Insert, new { UserId = user, StreamId = id }, default, st.Transaction);
            st.PublishAfterCommit(new StreamUpdate(StreamNames.AccountData, id, [user]));
            throw new InvalidOperationException("refused after queuing the update");
        }, default));

        Assert.Equal(0, heard);
        Assert.Null(await db.ReadAsync(c => c.FirstOrDefaultAsync<long?>(SelectStreamId, new { UserId = user }, default), default));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task OnCommittedActions_RunAfterTheCommit_BeforeAnySubscriber_AndNeverOnRollback(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, bus, publisher, _) = Resolve(hs);
        var user = NewUser();
        var order = new List<string>();
        using var _ = bus.Subscribe([StreamNames.Sessions], (u, _) =>
        {
            if (u.Users.Contains(user))
                lock (order)
                    order.Add("subscriber");
            return ValueTask.CompletedTask;
        });

        await publisher.WriteAsync(st =>
        {
            st.OnCommitted(() => { lock (order) order.Add("committed"); });
            st.PublishAfterCommit(new StreamUpdate(StreamNames.Sessions, 0, [user]));
            lock (order)
                order.Add("work");
            return Task.CompletedTask;
        }, default);
        Assert.Equal(["work", "committed", "subscriber"], order);

        order.Clear();
        await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.WriteAsync(st =>
        {
            st.OnCommitted(() => { lock (order) order.Add("committed"); });
            st.PublishAfterCommit(new StreamUpdate(StreamNames.Sessions, 0, [user]));
            throw new InvalidOperationException("rolled back");
        }, default));
        Assert.Empty(order);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task FailingSubscriber_NeitherFailsTheWrite_NorStopsTheOthers(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (db, bus, publisher, _) = Resolve(hs);
        var user = NewUser();
        var later = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var failing = bus.Subscribe([StreamNames.AccountData], (u, _) =>
            u.Users.Contains(user) ? throw new InvalidOperationException("subscriber bug") : ValueTask.CompletedTask);
        using var healthy = bus.Subscribe([StreamNames.AccountData], (u, _) =>
        {
            if (u.Users.Contains(user))
                later.TrySetResult(u.Position);
            return ValueTask.CompletedTask;
        });

        var written = await publisher.WriteAsync(async st =>
        {
            var id = await st.NextAsync(StreamNames.AccountData, default);
            await st.Connection.RunAsync(Insert, new { UserId = user, StreamId = id }, default, st.Transaction);
            st.PublishAfterCommit(new StreamUpdate(StreamNames.AccountData, id, [user]));
            return id;
        }, default);

        Assert.Equal(written, await later.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(written, await db.ReadAsync(c => c.FirstOrDefaultAsync<long?>(SelectStreamId, new { UserId = user }, default), default));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Subscriber_HearsOnlyItsStreams_AndNothingAfterUnsubscribing(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, bus, publisher, _) = Resolve(hs);
        var heard = new List<string>();
        var handle = bus.Subscribe([StreamNames.Receipts], (u, _) =>
        {
            lock (heard)
                heard.Add(u.Stream);
            return ValueTask.CompletedTask;
        });
        await publisher.PublishAsync(new StreamUpdate(StreamNames.Typing, 1, []));
        await publisher.PublishAsync(new StreamUpdate(StreamNames.Receipts, 1, []));
        handle.Dispose();
        await publisher.PublishAsync(new StreamUpdate(StreamNames.Receipts, 2, []));
        Assert.Equal([StreamNames.Receipts], heard);
    }

    private static (Database, IStreamBus, StreamPublisher, StreamPositions) Resolve(TestHomeserver hs) =>
        (hs.Services.GetRequiredService<Database>(), hs.Services.GetRequiredService<IStreamBus>(),
         hs.Services.GetRequiredService<StreamPublisher>(), hs.Services.GetRequiredService<StreamPositions>());
}
