using System.ComponentModel;
using System.Globalization;

namespace Homeserver.Core.Configuration;

/// <summary>
/// A config duration written the way operators write them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>7d</c>.
/// </summary>
[TypeConverter(typeof(DurationConverter))]
public readonly record struct Duration(TimeSpan Value)
{
    public static Duration Parse(string text)
    {
        var t = text.Trim();
        (string suffix, double factorMs)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000)];
        foreach (var (suffix, factor) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal) &&
                double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) &&
                n >= 0 && !(suffix == "m" && t.EndsWith("ms", StringComparison.Ordinal)))
                return new Duration(TimeSpan.FromMilliseconds(n * factor));
        }
        throw new FormatException($"'{text}' is not a duration (use a number with ms, s, m, h, d or w, e.g. 30s)");
    }

    public override string ToString() => Value.TotalMilliseconds switch
    {
        var ms when ms % 86_400_000 == 0 && ms > 0 => $"{ms / 86_400_000}d",
        var ms when ms % 3_600_000 == 0 && ms > 0 => $"{ms / 3_600_000}h",
        var ms when ms % 60_000 == 0 && ms > 0 => $"{ms / 60_000}m",
        var ms when ms % 1000 == 0 => $"{ms / 1000}s",
        var ms => $"{ms}ms",
    };
}

internal sealed class DurationConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        Duration.Parse((string)value);
}
