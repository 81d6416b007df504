using System.ComponentModel;
using System.Globalization;

namespace Homeserver.Core.Configuration;

/// <summary>A config size such as <c>50M</c>, <c>512K</c>, <c>2G</c> or a plain byte count (binary multiples, as Synapse reads them).</summary>
[TypeConverter(typeof(ByteSizeConverter))]
public readonly record struct ByteSize(long Bytes)
{
    public static ByteSize Parse(string text)
    {
        var t = text.Trim().ToUpperInvariant();
        if (t.EndsWith('B') && t.Length > 1 && !char.IsAsciiDigit(t[^2]))
            t = t[..^1];
        long factor = 1;
        if (t.Length > 0 && t[^1] is 'K' or 'M' or 'G' or 'T')
        {
            factor = t[^1] switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1L << 40 };
            t = t[..^1];
        }
        if (t.EndsWith('B'))
            t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0)
            throw new FormatException($"'{text}' is not a size (use bytes or a number with K, M or G, e.g. 50M)");
        return new ByteSize((long)(n * factor));
    }

    public override string ToString() => Bytes switch
    {
        >= 1L << 30 when Bytes % (1L << 30) == 0 => $"{Bytes >> 30}G",
        >= 1L << 20 when Bytes % (1L << 20) == 0 => $"{Bytes >> 20}M",
        >= 1L << 10 when Bytes % (1L << 10) == 0 => $"{Bytes >> 10}K",
        _ => Bytes.ToString(CultureInfo.InvariantCulture),
    };
}

internal sealed class ByteSizeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        ByteSize.Parse((string)value);
}
