using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Bench.Report;
using Homeserver.Bench.Targets;

namespace Homeserver.Bench.Scenarios;

/// <summary>
/// Sliding sync on the initial-sync scenario's account, as Element X's room list drives it: the first response for
/// a window of 20 rooms, the growth of that window to every room, and an incremental update after one message.
/// </summary>
public static class SlidingSyncFigures
{
    private const string Path = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";

    private static readonly string[][] RequiredState =
    [
        ["m.room.name", ""], ["m.room.encryption", ""], ["m.room.member", "$LAZY"], ["m.room.member", "$ME"],
        ["m.room.avatar", ""], ["m.room.power_levels", ""], ["m.room.create", ""], ["m.room.join_rules", ""],
    ];

    public static async Task MeasureAsync(BenchContext ctx, MatrixTarget target, string token, IReadOnlyList<string> rooms, string name, CancellationToken ct)
    {
        var first = new List<double>();
        var growth = new List<double>();
        var incremental = new List<double>();
        for (var i = 0; i < ctx.Options.InitialSyncRepeats; i++)
        {
            var (window, pos, count) = await TimedAsync(target, token, 19, null, ct);
            if (count != rooms.Count)
                ctx.Results.Note($"sliding sync counted {count} rooms, expected {rooms.Count}");
            first.Add(window);
            var (all, grown, _) = await TimedAsync(target, token, rooms.Count - 1, pos, ct);
            growth.Add(all);
            await target.SendTextAsync(token, rooms[i % rooms.Count], $"ss{i}", ct);
            incremental.Add((await TimedAsync(target, token, rooms.Count - 1, grown, ct)).Ms);
        }
        ctx.Results.Add(new Measurement(name, "sliding sync: first response, 20-room window, p50", InitialSyncScenario.Median(first), "ms"));
        ctx.Results.Add(new Measurement(name, "sliding sync: window grown to every room, p50", InitialSyncScenario.Median(growth), "ms"));
        ctx.Results.Add(new Measurement(name, "sliding sync: incremental after one message, p50", InitialSyncScenario.Median(incremental), "ms"));
    }

    /// <summary>One request of Element X's <c>room-list</c> connection, with the window <c>[0, end]</c>.</summary>
    private static async Task<(double Ms, string Pos, int Count)> TimedAsync(MatrixTarget target, string token, int end, string? pos, CancellationToken ct)
    {
        var body = new
        {
            conn_id = "room-list",
            lists = new Dictionary<string, object>
            {
                ["all_rooms"] = new
                {
                    ranges = new[] { new[] { 0, end } },
                    timeline_limit = 1,
                    required_state = RequiredState,
                },
            },
            extensions = new { account_data = new { enabled = true }, receipts = new { enabled = true }, typing = new { enabled = true } },
        };
        var sw = Stopwatch.StartNew();
        using var req = MatrixTarget.Authed(HttpMethod.Post, Path + "?timeout=0" + (pos is null ? "" : "&pos=" + Uri.EscapeDataString(pos)), token);
        req.Content = JsonContent.Create(body);
        using var res = await target.Http.SendAsync(req, ct);
        var json = await MatrixTarget.OkJsonAsync(res, ct);
        var ms = sw.Elapsed.TotalMilliseconds;
        return (ms, json.GetProperty("pos").GetString()!, json.GetProperty("lists").GetProperty("all_rooms").GetProperty("count").GetInt32());
    }
}
