using System.Text.RegularExpressions;
using Homeserver.Core.Configuration;

namespace Homeserver.Core.Media.Previews;

/// <summary>
/// <c>url_preview.url_blacklist</c>: a URL is refused when every component an entry names matches it, globs matched
/// whole and regular expressions (starting with <c>^</c>) from the start, as Synapse matches them.
/// </summary>
public sealed class UrlBlacklist(UrlPreviewOptions options)
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private readonly (string Name, Regex Pattern)[][] _entries = options.UrlBlacklist
        .Select(e => e.Components().Select(c => (c.Name, Compile(c.Pattern))).ToArray())
        .ToArray();

    public bool IsBlocked(Uri uri) =>
        _entries.Any(entry => entry.All(c => Component(uri, c.Name) is { } value && c.Pattern.IsMatch(value)));

    /// <summary>A URL's component as Python's <c>urlsplit</c> names it; null when the URL has none.</summary>
    private static string? Component(Uri uri, string name)
    {
        var user = uri.UserInfo.Split(':', 2);
        return name switch
        {
            "scheme" => uri.Scheme,
            "netloc" => uri.IsDefaultPort && !uri.OriginalString.Contains($":{uri.Port}", StringComparison.Ordinal)
                ? uri.Host : $"{uri.Host}:{uri.Port}",
            "hostname" => uri.IdnHost,
            "port" => uri.IsDefaultPort ? null : uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "path" => uri.AbsolutePath,
            "query" => uri.Query.TrimStart('?'),
            "fragment" => uri.Fragment.TrimStart('#'),
            "username" => uri.UserInfo.Length > 0 ? Uri.UnescapeDataString(user[0]) : null,
            "password" => user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null,
            _ => null,
        };
    }

    private static Regex Compile(string pattern) =>
        pattern.StartsWith('^')
            ? new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout)
            : new Regex("^" + GlobToRegex(pattern) + "$", RegexOptions.CultureInvariant, MatchTimeout);

    /// <summary><c>*</c> any run, <c>?</c> one character, <c>[…]</c> a class; everything else literal.</summary>
    private static string GlobToRegex(string glob)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var ch = glob[i];
            if (ch == '*')
                sb.Append(".*");
            else if (ch == '?')
                sb.Append('.');
            else if (ch == '[' && glob.IndexOf(']', i + 1) is var end and > 0)
            {
                var body = glob[(i + 1)..end];
                sb.Append('[').Append(body.StartsWith('!') ? "^" + Regex.Escape(body[1..]) : Regex.Escape(body)).Append(']');
                i = end;
            }
            else
                sb.Append(Regex.Escape(ch.ToString()));
        }
        return sb.ToString();
    }
}
