using Npgsql;

namespace Homeserver.Testing;

/// <summary>
/// Hands out fresh PostgreSQL databases on the throwaway server that <c>tests/run.sh</c> starts. Without
/// one the tests fail loudly: a database test that skips itself would let PostgreSQL bugs through.
/// </summary>
public static class TestPostgres
{
    public const string EnvVar = "HOMESERVER_TEST_POSTGRES";

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException($"{EnvVar} is not set: run the suite with tests/run.sh, which starts PostgreSQL, or point {EnvVar} at a server where the user may CREATE DATABASE.");

    public static async Task<string> CreateDatabaseAsync()
    {
        var name = "hs_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var conn = new NpgsqlConnection(AdminConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ToString();
    }
}
