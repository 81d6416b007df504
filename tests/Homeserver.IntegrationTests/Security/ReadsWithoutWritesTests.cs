using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 17: with the disk full, <c>/sync</c> answered 500, because of the writes it makes on the side
/// (the device's last-seen time, presence, dropping confirmed to-device messages). Those are now best-effort: a
/// refused write is logged once per interval and the sync is answered. The database is made to refuse every write
/// with triggers on every table, so the server's own statements fail as they would on a full disk: PostgreSQL's
/// with SQLSTATE 53100 (disk_full), SQLite's with an abort.
/// </summary>
public sealed class ReadsWithoutWritesTests
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DatabaseRefusingWrites_SyncIsStillAnswered_AndTheFailureLoggedOnce(string engine)
    {
        var logs = new CapturingLoggerProvider();
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        await using var hs = await TestHomeserver.StartAsync(options, b => b.Services.AddSingleton<ILoggerProvider>(logs));
        var (alice, a) = await hs.RegisterClientAsync();
        using var bob = hs.ClientFor(await hs.RegisterAsync());
        // A second session of Alice's, unused so far: its first request is due to record the device's activity.
        using var b = hs.ClientFor(await hs.LoginAsync(alice));
        var roomId = await a.CreateRoomAsync();
        await a.SendTextAsync(roomId, "before the disk filled");
        var toDevice = new { messages = new Dictionary<string, object> { [alice.UserId] = new Dictionary<string, object> { [alice.DeviceId] = new { hello = "world" } } } };
        await (await bob.PutAsJsonAsync("/_matrix/client/v3/sendToDevice/m.test/t1", toDevice)).AssertOkAsync();
        var first = await (await a.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync();
        Assert.Equal(1, first.GetProperty("to_device").GetProperty("events").GetArrayLength());

        await RefuseWritesAsync(hs, engine);
        var send = await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/t2", new { msgtype = "m.text", body = "lost" });
        Assert.Equal(HttpStatusCode.InternalServerError, send.StatusCode);

        // Confirms the to-device message, whose deletion is refused.
        var next = await (await a.GetAsync($"/_matrix/client/v3/sync?timeout=0&since={first.GetProperty("next_batch").GetString()}")).AssertOkAsync();
        Assert.Equal(0, next.GetProperty("to_device").GetProperty("events").GetArrayLength());
        // Records the new session's activity and a change of presence, both refused.
        for (var i = 0; i < 3; i++)
        {
            var initial = await (await b.GetAsync("/_matrix/client/v3/sync?timeout=0&set_presence=unavailable")).AssertOkAsync();
            var timeline = initial.GetProperty("rooms").GetProperty("join").GetProperty(roomId).GetProperty("timeline").GetProperty("events");
            Assert.Equal("before the disk filled", timeline.EnumerateArray().Bodies().Last());
        }

        Assert.Single(logs.Lines, l => l.Contains("to-device deletion"));
        Assert.Single(logs.Lines, l => l.Contains("device activity"));
        Assert.Single(logs.Lines, l => l.Contains("presence on sync"));
    }

    /// <summary>Every insert, update and delete on every table fails from now on, on every connection.</summary>
    private static async Task RefuseWritesAsync(TestHomeserver hs, string engine)
    {
        if (engine == "postgres")
        {
            await using var c = new NpgsqlConnection(hs.Options.Database.ConnectionString);
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = """
                CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$;
                DO $$ DECLARE t text; BEGIN
                  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
                    EXECUTE format('CREATE TRIGGER refuse_write BEFORE INSERT OR UPDATE OR DELETE ON %I FOR EACH STATEMENT EXECUTE FUNCTION refuse_write()', t);
                  END LOOP;
                END $$;
                """;
            await cmd.ExecuteNonQueryAsync();
            return;
        }
        await using var s = new SqliteConnection($"Data Source={hs.Options.ResolvePath(hs.Options.Database.SqlitePath)};Pooling=False");
        await s.OpenAsync();
        var tables = new List<string>();
        await using (var list = s.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            await using var r = await list.ExecuteReaderAsync();
            while (await r.ReadAsync())
                tables.Add(r.GetString(0));
        }
        await using var create = s.CreateCommand();
        create.CommandText = string.Concat(tables.SelectMany(t => new[] { "INSERT", "UPDATE", "DELETE" }.Select(op =>
            $"CREATE TRIGGER \"refuse_{op}_{t}\" BEFORE {op} ON \"{t}\" BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;")));
        await create.ExecuteNonQueryAsync();
    }
}
