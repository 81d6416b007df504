using ScottPlot;

namespace Homeserver.Bench.Report;

/// <summary>
/// Latency distributions as percentile curves, one PNG per room shape: the x axis counts "nines"
/// (50%, 90%, 99%, 99.9%), so the tail gets as much room as the median.
/// </summary>
public static class LatencyPlot
{
    public static IReadOnlyList<string> Write(IReadOnlyList<LatencyCurve> curves, string pathPrefix)
    {
        var files = new List<string>();
        foreach (var shape in curves.GroupBy(c => c.Shape))
        {
            var plot = new Plot();
            foreach (var curve in shape.Where(c => c.Points.Count > 0))
            {
                var xs = curve.Points.Select(p => Nines(p.Percentile)).ToArray();
                var ys = curve.Points.Select(p => p.Milliseconds).ToArray();
                var line = plot.Add.ScatterLine(xs, ys);
                line.LegendText = curve.Series;
                line.LineWidth = 2;
                if (curve.Series.Contains("baseline", StringComparison.Ordinal))
                    line.LinePattern = LinePattern.Dashed;
            }
            plot.Title($"Delivery latency, {shape.Key} rooms");
            plot.XLabel("percentile");
            plot.YLabel("latency (ms)");
            double[] ticks = [0, 1, 2, 3, 4, 5];
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, ["0%", "90%", "99%", "99.9%", "99.99%", "max"]);
            plot.Axes.Margins(bottom: 0);
            plot.ShowLegend(Alignment.UpperLeft);
            var file = $"{pathPrefix}-latency-{shape.Key.Replace(":", "-", StringComparison.Ordinal)}.png";
            plot.SavePng(file, 1000, 600);
            files.Add(file);
        }
        return files;
    }

    private static double Nines(double percentile) => percentile >= 100 ? 5 : -Math.Log10(1 - percentile / 100);
}
