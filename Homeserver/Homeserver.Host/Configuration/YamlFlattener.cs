using Homeserver.Core.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Homeserver.Host.Configuration;

/// <summary>Turns a YAML document into dotted-key/value pairs (<c>listeners.0.port</c> → <c>8008</c>).</summary>
public static class YamlFlattener
{
    public static Dictionary<string, string?> Flatten(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException([new ConfigProblem("(file)", $"YAML syntax error at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}")]);
        }
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (stream.Documents.Count == 0)
            return result;
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException([new ConfigProblem("(file)", "the top level must be a mapping of keys to values")]);
        Walk(root, "", result);
        return result;
    }

    private static void Walk(YamlNode node, string path, Dictionary<string, string?> into)
    {
        switch (node)
        {
            case YamlMappingNode map:
                if (map.Children.Count == 0 && path.Length > 0)
                    into[path] = null;
                foreach (var (k, v) in map.Children)
                    Walk(v, Join(path, ((YamlScalarNode)k).Value ?? ""), into);
                break;
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                    Walk(seq.Children[i], Join(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), into);
                break;
            case YamlScalarNode scalar:
                // An empty value or ~ means "not set", so the default stays in force.
                into[path] = scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" ? null : scalar.Value;
                break;
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;
}
