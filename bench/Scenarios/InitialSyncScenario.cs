using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Bench.Baselines;
using Homeserver.Bench.Infrastructure;
using Homeserver.Bench.Report;
using Homeserver.Bench.Targets;

namespace Homeserver.Bench.Scenarios;

/// <summary>
/// An account in many rooms with history: the first full /sync, repeated full syncs, incremental syncs after one
/// new message and with nothing new, against a raw read of the same data; the same account over sliding sync
/// (<see cref="SlidingSyncFigures"/>); then (with cold-start) restarts on
/// the populated database.
/// </summary>
public static class InitialSyncScenario
{
    // The server's default timeline limit, which a client without a filter gets.
    private const int DefaultTimelineLimit = 10;

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        var (instance, server) = await ctx.StartHomeserverAsync(ct);
        try
        {
            await using var target = new MatrixTarget(server.BaseAddress, ctx.Connector(64));
            var token = await target.RegisterAsync(ct);
            using var whoami = MatrixTarget.Authed(HttpMethod.Get, "/_matrix/client/v3/account/whoami", token);
            var userId = (await MatrixTarget.OkJsonAsync(await target.Http.SendAsync(whoami, ct), ct)).GetProperty("user_id").GetString()!;
            Console.WriteLine($"initial sync: populating {o.InitialSyncRooms} rooms x {o.InitialSyncMessagesPerRoom} messages");
            // One after another: two v12 create events of one sender in the same millisecond would name the same room.
            var rooms = new string[o.InitialSyncRooms];
            for (var i = 0; i < rooms.Length; i++)
                rooms[i] = await target.CreateRoomAsync(token, new { preset = "private_chat", name = $"room {i}" }, ct);
            await Parallel.ForAsync(0, rooms.Length, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, ct) =>
            {
                for (var m = 0; m < o.InitialSyncMessagesPerRoom; m++)
                    await target.SendTextAsync(token, rooms[i], $"i{i}m{m}", ct);
            });

            var first = await TimedSyncAsync(target, token, null, ct);
            if (first.Rooms != o.InitialSyncRooms)
                ctx.Results.Note($"initial sync returned {first.Rooms} joined rooms, expected {o.InitialSyncRooms}");
            var full = new List<double>();
            var raw = new List<double>();
            var firstRaw = await TimeAsync(() => RawSyncRead.ReadAsync(instance.DataDir, instance.PostgresConnection, userId, DefaultTimelineLimit, ct));
            for (var i = 0; i < o.InitialSyncRepeats; i++)
            {
                full.Add((await TimedSyncAsync(target, token, null, ct)).Ms);
                raw.Add(await TimeAsync(() => RawSyncRead.ReadAsync(instance.DataDir, instance.PostgresConnection, userId, DefaultTimelineLimit, ct)));
            }
            var since = first.NextBatch;
            var incremental = new List<double>();
            var empty = new List<double>();
            for (var i = 0; i < o.InitialSyncRepeats; i++)
            {
                await target.SendTextAsync(token, rooms[i % rooms.Length], $"inc{i}", ct);
                var inc = await TimedSyncAsync(target, token, since, ct);
                incremental.Add(inc.Ms);
                var none = await TimedSyncAsync(target, token, inc.NextBatch, ct);
                empty.Add(none.Ms);
                since = none.NextBatch;
            }

            var name = $"initial sync ({o.InitialSyncRooms} rooms x {o.InitialSyncMessagesPerRoom} messages)";
            ctx.Results.Add(new Measurement(name, "first full /sync", first.Ms, "ms", firstRaw));
            ctx.Results.Add(new Measurement(name, "full /sync p50", Median(full), "ms", Median(raw), "<= 300 ms", Median(full) <= 300));
            ctx.Results.Add(new Measurement(name, "full /sync response", first.Bytes / 1024.0, "KiB"));
            ctx.Results.Add(new Measurement(name, "incremental /sync after one message, p50", Median(incremental), "ms"));
            ctx.Results.Add(new Measurement(name, "incremental /sync with nothing new, p50", Median(empty), "ms"));
            await SlidingSyncFigures.MeasureAsync(ctx, target, token, rooms, name, ct);
        }
        finally
        {
            await server.DisposeAsync();
        }
        if (o.Runs("cold-start"))
            await ColdStartScenario.MeasurePopulatedAsync(ctx, instance, ct);
    }

    private static async Task<(double Ms, string NextBatch, int Rooms, long Bytes)> TimedSyncAsync(MatrixTarget target, string token, string? since, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        using var req = MatrixTarget.Authed(HttpMethod.Get, "/_matrix/client/v3/sync?timeout=0" + (since is null ? "" : "&since=" + Uri.EscapeDataString(since)), token);
        using var res = await target.Http.SendAsync(req, ct);
        var bytes = await res.Content.ReadAsByteArrayAsync(ct);
        var ms = sw.Elapsed.TotalMilliseconds;
        res.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(bytes);
        var rooms = doc.RootElement.TryGetProperty("rooms", out var r) && r.TryGetProperty("join", out var j) ? j.EnumerateObject().Count() : 0;
        return (ms, doc.RootElement.GetProperty("next_batch").GetString()!, rooms, bytes.Length);
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var sw = Stopwatch.StartNew();
        await action();
        return sw.Elapsed.TotalMilliseconds;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
