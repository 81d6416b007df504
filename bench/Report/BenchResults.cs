using System.Text.Json.Nodes;

namespace Homeserver.Bench.Report;

/// <summary>One reported figure, beside the bare baseline measured in the same run and the target it answers to.</summary>
public sealed record Measurement(
    string Scenario,
    string Metric,
    double Value,
    string Unit,
    double? Baseline = null,
    string? Target = null,
    bool? TargetMet = null)
{
    public double? Ratio => Baseline is > 0 ? Value / Baseline : null;
}

/// <summary>A latency distribution, kept for the plot: (percentile, milliseconds) points of one series in one room shape.</summary>
public sealed record LatencyCurve(string Shape, string Series, IReadOnlyList<(double Percentile, double Milliseconds)> Points);

/// <summary>Everything one run produced; written as JSON, a markdown table and the plots.</summary>
public sealed class BenchResults
{
    private readonly Lock _gate = new();

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;
    public List<Measurement> Measurements { get; } = [];
    public List<LatencyCurve> Curves { get; } = [];
    /// <summary>Per-scenario facts that are not figures: counts, loss, generator and server CPU.</summary>
    public JsonObject Details { get; } = [];
    public List<string> Notes { get; } = [];

    public void Add(Measurement m)
    {
        lock (_gate)
            Measurements.Add(m);
        Console.WriteLine($"  {m.Scenario} | {m.Metric}: {m.Value:0.###} {m.Unit}" + (m.Ratio is { } r ? $" (x{r:0.00} of baseline {m.Baseline:0.###})" : ""));
    }

    public void Detail(string scenario, string key, JsonNode? value)
    {
        lock (_gate)
        {
            if (Details[scenario] is not JsonObject o)
                Details[scenario] = o = [];
            o[key] = value;
        }
    }

    public void Note(string text)
    {
        lock (_gate)
            Notes.Add(text);
        Console.WriteLine("  note: " + text);
    }
}
