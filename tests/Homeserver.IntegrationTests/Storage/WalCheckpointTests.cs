using Homeserver.Core.Storage;
using Homeserver.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Homeserver.IntegrationTests.Storage;

/// <summary>
/// SQLite's write-ahead log is copied back into the database file by the server's periodic work, not by the commit
/// that crosses a threshold: commits never carry a checkpoint, yet the log does not keep the data for ever.
/// </summary>
public sealed class WalCheckpointTests
{
    [Fact]
    public async Task Sqlite_CommittedPages_ReachTheDatabaseFileWithoutACommitCheckpointing()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite");
        var db = hs.Services.GetRequiredService<Database>();
        var file = Path.Combine(hs.Options.DataDir, "homeserver.db");
        await db.WriteAsync((c, tx) => c.RunAsync("CREATE TABLE blobs (k BIGINT PRIMARY KEY, v TEXT NOT NULL)", null, default, tx), default);
        var before = new FileInfo(file).Length;

        // About 8 MB: well past SQLite's automatic threshold (1,000 pages), which would have checkpointed it.
        var value = new string('x', 8_000);
        for (var batch = 0; batch < 10; batch++)
            await db.WriteAsync(async (c, tx) =>
            {
                for (var i = 0; i < 100; i++)
                    await c.RunAsync("INSERT INTO blobs (k, v) VALUES (@K, @V)", new { K = batch * 100L + i, V = value }, default, tx);
            }, default);
        var autoCheckpoint = await db.ReadAsync(c => c.ScalarAsync<long>("PRAGMA wal_autocheckpoint", null, default), default);
        Assert.Equal(0, autoCheckpoint);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (new FileInfo(file).Length < before + 8_000_000 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.True(new FileInfo(file).Length >= before + 8_000_000, $"database file is {new FileInfo(file).Length} bytes");
        Assert.Equal(1000, await db.ReadAsync(c => c.ScalarAsync<long>("SELECT COUNT(*) FROM blobs", null, default), default));
    }
}
