using System.Globalization;
using System.Text;

namespace Homeserver.Testing;

/// <summary>One sample of Prometheus' text exposition format: a series' name, its labels and its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// Prometheus' text exposition format (version 0.0.4), parsed strictly: every line a comment, a blank or a sample
/// whose family was declared by a <c># TYPE</c> line before it; anything else throws <see cref="FormatException"/>, so
/// a test that parses a scrape also checks that Prometheus could read it.
/// </summary>
public sealed class PrometheusScrape
{
    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    private PrometheusScrape(IReadOnlyList<PrometheusSample> samples, IReadOnlyDictionary<string, string> types)
    {
        Samples = samples;
        Types = types;
    }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Each family's declared type: counter, gauge, histogram, summary or unknown.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    /// <summary>GETs <paramref name="path"/> and parses the answer, which must be a 200 in the text format.</summary>
    public static async Task<PrometheusScrape> ScrapeAsync(HttpClient client, string path = "/metrics")
    {
        using var res = await client.GetAsync(path);
        var text = await res.Content.ReadAsStringAsync();
        if (!res.IsSuccessStatusCode)
            throw new InvalidOperationException($"scrape of {path} answered {(int)res.StatusCode}: {text}");
        if (res.Content.Headers.ContentType?.MediaType != "text/plain")
            throw new FormatException($"scrape of {path} is {res.Content.Headers.ContentType}, not text/plain");
        return Parse(text);
    }

    public static PrometheusScrape Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 4 && parts[1] == "TYPE")
                {
                    if (parts[3] is not ("counter" or "gauge" or "histogram" or "summary" or "unknown"))
                        throw new FormatException($"line {lineNumber}: unknown type '{parts[3]}'");
                    types[parts[2]] = parts[3];
                }
                continue;
            }
            var sample = ParseSample(line, lineNumber);
            if (FamilyOf(sample.Name, types) is null)
                throw new FormatException($"line {lineNumber}: sample {sample.Name} has no # TYPE line before it");
            samples.Add(sample);
        }
        return new PrometheusScrape(samples, types);
    }

    /// <summary>The sum of the samples named <paramref name="name"/> that carry all of <paramref name="labels"/>; 0 when none does (a series appears on its first measurement).</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).Sum(s => s.Value);

    private static string? FamilyOf(string name, Dictionary<string, string> types)
    {
        if (types.ContainsKey(name))
            return name;
        foreach (var suffix in HistogramSuffixes)
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(name[..^suffix.Length], out var type) && type is "histogram" or "summary")
                return name[..^suffix.Length];
        return null;
    }

    private static PrometheusSample ParseSample(string line, int lineNumber)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
            i++;
        if (i == 0 || char.IsAsciiDigit(line[0]))
            throw new FormatException($"line {lineNumber}: no metric name in '{line}'");
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_')
                    i++;
                var label = line[start..i];
                if (label.Length == 0 || line[i] != '=' || line[i + 1] != '"')
                    throw new FormatException($"line {lineNumber}: malformed label at column {i} of '{line}'");
                i += 2;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch
                        {
                            'n' => '\n',
                            '\\' => '\\',
                            '"' => '"',
                            _ => throw new FormatException($"line {lineNumber}: bad escape in '{line}'"),
                        });
                    }
                    else
                        value.Append(line[i]);
                    i++;
                }
                i++;
                if (!labels.TryAdd(label, value.ToString()))
                    throw new FormatException($"line {lineNumber}: label {label} twice");
                if (line[i] == ',')
                    i++;
            }
            i++;
        }
        if (i >= line.Length || line[i] != ' ')
            throw new FormatException($"line {lineNumber}: no value in '{line}'");
        var fields = line[(i + 1)..].Split(' ');
        if (fields.Length > 2 || (fields.Length == 2 && !long.TryParse(fields[1], CultureInfo.InvariantCulture, out _)))
            throw new FormatException($"line {lineNumber}: malformed value or timestamp in '{line}'");
        var number = fields[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
                : throw new FormatException($"line {lineNumber}: '{v}' is not a number"),
        };
        return new PrometheusSample(name, labels, number);
    }
}
