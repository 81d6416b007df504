using System.ComponentModel;
using System.Reflection;
using Homeserver.Core.Configuration;

namespace Homeserver.Host.Configuration;

/// <summary>
/// Checks every dotted key against the options types before binding: unknown keys (usually typos) and
/// values that do not convert are reported with the key, instead of being ignored or failing vaguely.
/// </summary>
public static class OptionsShapeChecker
{
    public static IEnumerable<ConfigProblem> Check(IReadOnlyDictionary<string, string?> flat, Type root)
    {
        foreach (var (key, value) in flat)
        {
            var type = root;
            string? problem = null;
            foreach (var segment in key.Split('.'))
            {
                if (ListElementType(type) is { } element)
                {
                    if (!int.TryParse(segment, out var index) || index < 0)
                    {
                        problem = $"'{segment}' is not a list index";
                        break;
                    }
                    type = element;
                    continue;
                }
                var prop = FindProperty(type, segment);
                if (prop is null)
                {
                    problem = "unknown key";
                    break;
                }
                type = prop.PropertyType;
            }
            if (problem is null && value is not null)
                problem = ConversionProblem(type, value);
            if (problem is not null)
                yield return new ConfigProblem(key.ToLowerInvariant(), problem);
        }
    }

    /// <summary>YAML keys are snake_case; properties are the same words in PascalCase.</summary>
    public static PropertyInfo? FindProperty(Type type, string snakeKey)
    {
        var wanted = snakeKey.Replace("_", "", StringComparison.Ordinal);
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(p => p.CanWrite && string.Equals(p.Name, wanted, StringComparison.OrdinalIgnoreCase));
    }

    public static Type? ListElementType(Type t) =>
        t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) ? t.GetGenericArguments()[0] : null;

    private static string? ConversionProblem(Type type, string value)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string))
            return null;
        if (target.IsClass || ListElementType(target) is not null)
            return "expected a section or list here, not a single value";
        try
        {
            TypeDescriptor.GetConverter(target).ConvertFromInvariantString(value);
            return null;
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException || e.InnerException is FormatException)
        {
            return $"'{value}' is not a valid {Describe(target)}" + (e is FormatException && e.Message.Contains("use ", StringComparison.Ordinal) ? $" ({e.Message})" : "");
        }
    }

    private static string Describe(Type t) => t switch
    {
        _ when t == typeof(int) || t == typeof(long) => "whole number",
        _ when t == typeof(double) => "number",
        _ when t == typeof(bool) => "boolean (true or false)",
        _ when t == typeof(Duration) => "duration",
        _ when t == typeof(ByteSize) => "size",
        _ => t.Name,
    };
}
