using Homeserver.Core.Configuration;
using Homeserver.Core.Storage;
using Homeserver.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Homeserver.IntegrationTests.Storage;

public sealed class MigrationTests
{
    private static async Task<Database> NewDatabaseAsync(string engine)
    {
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        return new Database(options.Database, options.DataDir, NullLoggerFactory.Instance);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Migrate_Twice_AppliesOnceAndKeepsData(string engine)
    {
        await using var db = await NewDatabaseAsync(engine);
        var migrator = new Migrator(db, NullLogger<Migrator>.Instance);
        Assert.Equal(migrator.Known.Count, await migrator.MigrateAsync(default));
        await db.WriteAsync((c, tx) => c.RunAsync("INSERT INTO stream_positions (stream_name, instance_name, position) VALUES ('t', 'main', 42)", null, default, tx), default);
        Assert.Equal(0, await migrator.MigrateAsync(default));
        Assert.Equal(42, await db.ReadAsync(c => c.ScalarAsync<long>("SELECT position FROM stream_positions WHERE stream_name = 't'", null, default), default));
        var versions = await db.ReadAsync(c => c.ListAsync<long>("SELECT version FROM schema_migrations ORDER BY version", null, default), default);
        Assert.Equal(Enumerable.Range(1, migrator.Known.Count).Select(i => (long)i), versions);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Migrate_ConcurrentStarts_ApplyEachMigrationOnce(string engine)
    {
        await using var db = await NewDatabaseAsync(engine);
        var migrators = Enumerable.Range(0, 4).Select(_ => new Migrator(db, NullLogger<Migrator>.Instance)).ToList();
        var applied = await Task.WhenAll(migrators.Select(m => m.MigrateAsync(default)));
        Assert.Equal(migrators[0].Known.Count, applied.Sum());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Migrate_DatabaseNewerThanCode_RefusesToStart(string engine)
    {
        await using var db = await NewDatabaseAsync(engine);
        var migrator = new Migrator(db, NullLogger<Migrator>.Instance);
        await migrator.MigrateAsync(default);
        await db.WriteAsync((c, tx) => c.RunAsync("INSERT INTO schema_migrations (version, name, applied_ts) VALUES (9999, 'from_the_future', 0)", null, default, tx), default);
        var e = await Assert.ThrowsAsync<MigrationException>(() => migrator.MigrateAsync(default));
        Assert.Contains("9999", e.Message);
    }

    [Fact]
    public void BothEngines_HaveTheSameMigrationNumbers()
    {
        var sqlite = new Migrator(new Database(new DatabaseOptions(), Directory.CreateTempSubdirectory().FullName, NullLoggerFactory.Instance), NullLogger<Migrator>.Instance).Known;
        var pg = new Migrator(new Database(new DatabaseOptions { Engine = "postgres", ConnectionString = "Host=unused" }, ".", NullLoggerFactory.Instance), NullLogger<Migrator>.Instance).Known;
        Assert.Equal(sqlite.Select(m => (m.Version, m.Name)), pg.Select(m => (m.Version, m.Name)));
    }
}
