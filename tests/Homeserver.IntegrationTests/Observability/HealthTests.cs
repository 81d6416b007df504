using System.Net;
using Homeserver.Testing;
using Npgsql;
using Xunit;

namespace Homeserver.IntegrationTests.Observability;

/// <summary><c>/health</c> for load balancers, on the client listener (as Synapse serves it) and the metrics listener.</summary>
public sealed class HealthTests
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Health_WithTheDatabaseUp_IsOkOnBothListeners(string engine)
    {
        await using var m = await MetricsServer.StartAsync(engine);
        foreach (var client in new[] { m.Server.Client, m.Metrics })
        {
            using var res = await client.GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            Assert.Equal("OK", await res.Content.ReadAsStringAsync());
            Assert.Equal("text/plain", res.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Health_WhilePostgresRefusesConnections_Is503_AndOkOnceItAcceptsThemAgain()
    {
        await using var m = await MetricsServer.StartAsync("postgres");
        var database = new NpgsqlConnectionStringBuilder(m.Server.Options.Database.ConnectionString).Database!;
        await AdminAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS false");
        try
        {
            await AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
            foreach (var client in new[] { m.Server.Client, m.Metrics })
            {
                using var res = await client.GetAsync("/health");
                var body = await res.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.ServiceUnavailable, res.StatusCode);
                Assert.StartsWith("database: ", body);
            }
        }
        finally
        {
            await AdminAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS true");
        }
        // Connections the fault broke are dropped from the pool as they fail; a probe or two later the server is healthy.
        var status = HttpStatusCode.ServiceUnavailable;
        for (var i = 0; i < 50 && status != HttpStatusCode.OK; i++)
        {
            using var res = await m.Metrics.GetAsync("/health");
            status = res.StatusCode;
            if (status != HttpStatusCode.OK)
                await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.OK, status);
    }

    private static async Task AdminAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(TestPostgres.AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
