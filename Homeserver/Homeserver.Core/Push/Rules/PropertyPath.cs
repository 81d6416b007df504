using System.Text;
using System.Text.Json.Nodes;

namespace Homeserver.Core.Push.Rules;

/// <summary>
/// The spec's dot-separated property paths (appendix "Dot-separated property paths"): <c>\.</c> is a literal dot
/// and <c>\\</c> a literal backslash inside a name; any other backslash is kept as it is.
/// </summary>
public static class PropertyPath
{
    public static IReadOnlyList<string> Parse(string path)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '\\' && i + 1 < path.Length && path[i + 1] is '.' or '\\')
                current.Append(path[++i]);
            else if (c == '.')
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
                current.Append(c);
        }
        parts.Add(current.ToString());
        return parts;
    }

    /// <summary>The value at <paramref name="path"/>; false when some step is absent (a present JSON null returns true).</summary>
    public static bool TryGet(JsonObject root, IReadOnlyList<string> path, out JsonNode? value)
    {
        JsonNode? node = root;
        foreach (var name in path)
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(name, out node))
            {
                value = null;
                return false;
            }
        }
        value = node;
        return true;
    }
}
