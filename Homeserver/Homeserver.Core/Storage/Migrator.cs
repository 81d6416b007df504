using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Storage;

/// <summary>
/// Applies the numbered scripts under Migrations/{engine}/ that the database has not seen yet, all in one
/// transaction: an interrupted upgrade leaves the old schema, and a second node waiting on the lock sees
/// the finished one.
/// </summary>
public sealed class Migrator(Database db, ILogger<Migrator> logger)
{
    private const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_ts BIGINT NOT NULL)";
    private const string SelectMaxVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
    private const string InsertVersion = "INSERT INTO schema_migrations (version, name, applied_ts) VALUES (@Version, @Name, @Ts)";

    public sealed record Migration(int Version, string Name, string Sql);

    public IReadOnlyList<Migration> Known { get; } = LoadScripts(db.Dialect.MigrationFolder);

    /// <summary>Returns how many migrations were applied.</summary>
    public Task<int> MigrateAsync(CancellationToken ct) => MigrateAsync(Known.Count == 0 ? 0 : Known[^1].Version, ct);

    /// <summary>Applies the migrations up to <paramref name="target"/>: a migration that converts data is tested from the schema before it.</summary>
    public async Task<int> MigrateAsync(int target, CancellationToken ct)
    {
        try
        {
            return await ApplyAsync(target, ct);
        }
        // The first use of the database at start: an unreachable server, a wrong password or a file that is not a
        // database is the operator's to fix, so it is reported naming the database, not as a stack trace.
        catch (System.Data.Common.DbException e)
        {
            throw new MigrationException($"cannot use {db.Description}: {e.Message}", e);
        }
    }

    private async Task<int> ApplyAsync(int target, CancellationToken ct)
    {
        var latest = Known.Count == 0 ? 0 : Known[^1].Version;
        var (applied, version) = await db.WriteAsync(async (conn, tx) =>
        {
            if (db.Dialect.MigrationLock is { } lockSql)
                await conn.RunAsync(lockSql, null, ct, tx);
            await conn.RunAsync(CreateVersionTable, null, ct, tx);
            var current = await conn.ScalarAsync<long>(SelectMaxVersion, null, ct, tx);
            if (current > latest)
                throw new MigrationException($"the database schema is at version {current}, newer than this server's {latest}; upgrade the server instead");
            var applied = 0;
            foreach (var m in Known.Where(m => m.Version > current && m.Version <= target))
            {
                logger.LogInformation("Applying migration {Version} {Name}", m.Version, m.Name);
                await conn.RunAsync(m.Sql, null, ct, tx);
                await conn.RunAsync(InsertVersion, new { m.Version, m.Name, Ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, ct, tx);
                applied++;
                current = m.Version;
            }
            return (applied, current);
        }, ct);
        db.ClearStatementCache();
        if (applied > 0)
            logger.LogInformation("Migrated {Database} to schema version {Version} ({Applied} migrations applied)", db.Description, version, applied);
        else
            logger.LogInformation("{Database} is at schema version {Version}", db.Description, version);
        return applied;
    }

    private static List<Migration> LoadScripts(string folder)
    {
        var asm = typeof(Migrator).Assembly;
        var prefix = $"{typeof(Migrator).Namespace}.Migrations.{folder}.";
        var list = new List<Migration>();
        foreach (var res in asm.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var file = res[prefix.Length..];
            var underscore = file.IndexOf('_');
            if (underscore < 1 || !int.TryParse(file[..underscore], out var version))
                throw new MigrationException($"migration resource '{res}' is not named NNNN_name.sql");
            using var stream = asm.GetManifestResourceStream(res)!;
            using var reader = new StreamReader(stream);
            list.Add(new Migration(version, Path.GetFileNameWithoutExtension(file[(underscore + 1)..]), reader.ReadToEnd()));
        }
        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < list.Count; i++)
            if (list[i].Version != i + 1)
                throw new MigrationException($"migrations for {folder} are not numbered 1..n without gaps (found {list[i].Version} at position {i + 1})");
        return list;
    }
}
