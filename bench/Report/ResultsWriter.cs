using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Homeserver.Bench.Report;

/// <summary>Writes a run as <c>bench-STAMP.json</c>, <c>bench-STAMP.md</c> and the latency plots into the output directory.</summary>
public static class ResultsWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static IReadOnlyList<string> Write(BenchResults results, BenchOptions options, string engine, string directory)
    {
        Directory.CreateDirectory(directory);
        var stamp = results.Started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var json = Path.Combine(directory, $"bench-{stamp}.json");
        var md = Path.Combine(directory, $"bench-{stamp}.md");
        File.WriteAllText(json, ToJson(results, options, engine).ToJsonString(Json));
        File.WriteAllText(md, ToMarkdown(results, engine));
        return [json, md, .. LatencyPlot.Write(results.Curves, Path.Combine(directory, $"bench-{stamp}"))];
    }

    private static JsonObject ToJson(BenchResults results, BenchOptions options, string engine) => new()
    {
        ["started"] = results.Started.ToString("O", CultureInfo.InvariantCulture),
        ["machine"] = new JsonObject
        {
            ["processors"] = Environment.ProcessorCount,
            ["os"] = Environment.OSVersion.ToString(),
            ["runtime"] = Environment.Version.ToString(),
        },
        ["engine"] = engine,
        ["options"] = JsonSerializer.SerializeToNode(options, Json),
        ["measurements"] = new JsonArray(results.Measurements.Select(m => (JsonNode)new JsonObject
        {
            ["scenario"] = m.Scenario,
            ["metric"] = m.Metric,
            ["value"] = m.Value,
            ["unit"] = m.Unit,
            ["baseline"] = m.Baseline,
            ["ratio"] = m.Ratio,
            ["target"] = m.Target,
            ["target_met"] = m.TargetMet,
        }).ToArray()),
        ["details"] = results.Details.DeepClone(),
        ["curves"] = new JsonArray(results.Curves.Select(c => (JsonNode)new JsonObject
        {
            ["shape"] = c.Shape,
            ["series"] = c.Series,
            ["points"] = new JsonArray(c.Points.Select(p => (JsonNode)new JsonArray(p.Percentile, p.Milliseconds)).ToArray()),
        }).ToArray()),
        ["notes"] = new JsonArray(results.Notes.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
    };

    public static string ToMarkdown(BenchResults results, string engine)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Run of {results.Started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {engine}.");
        sb.AppendLine();
        sb.AppendLine("| scenario | metric | homeserver | baseline | ratio | target | met |");
        sb.AppendLine("|---|---|---:|---:|---:|---|---|");
        foreach (var m in results.Measurements)
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Scenario} | {m.Metric} | {Number(m.Value)} {m.Unit} | {(m.Baseline is { } b ? Number(b) : "")} | {(m.Ratio is { } r ? $"{r:0.00}x" : "")} | {m.Target} | {(m.TargetMet switch { true => "yes", false => "**no**", _ => "" })} |");
        if (results.Notes.Count > 0)
        {
            sb.AppendLine();
            foreach (var n in results.Notes)
                sb.AppendLine("- " + n);
        }
        return sb.ToString();
    }

    private static string Number(double v) => double.IsNaN(v) ? "n/a"
        : Math.Abs(v) >= 100 ? v.ToString("#,0", CultureInfo.InvariantCulture)
        : v.ToString("0.###", CultureInfo.InvariantCulture);
}
