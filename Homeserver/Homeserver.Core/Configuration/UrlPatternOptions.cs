using System.Text.RegularExpressions;

namespace Homeserver.Core.Configuration;

/// <summary>
/// One entry of <c>url_preview.url_blacklist</c>: each component given is a glob (<c>*.example.com</c>), or a regular
/// expression when it starts with <c>^</c>; the entry refuses a URL when every component given matches.
/// </summary>
public sealed class UrlPatternOptions
{
    public string? Scheme { get; set; }
    /// <summary>Host and port as written in the URL (<c>example.com:8080</c>).</summary>
    public string? Netloc { get; set; }
    public string? Hostname { get; set; }
    public string? Port { get; set; }
    public string? Path { get; set; }
    public string? Query { get; set; }
    public string? Fragment { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>The components this entry names, by their config key.</summary>
    public IEnumerable<(string Name, string Pattern)> Components()
    {
        (string, string?)[] all =
        [
            ("scheme", Scheme), ("netloc", Netloc), ("hostname", Hostname), ("port", Port), ("path", Path), ("query", Query),
            ("fragment", Fragment), ("username", Username), ("password", Password),
        ];
        return all.Where(c => c.Item2 is not null).Select(c => (c.Item1, c.Item2!));
    }

    /// <summary>A glob is always valid; a regular expression must compile.</summary>
    public static bool IsValidPattern(string pattern)
    {
        if (!pattern.StartsWith('^'))
            return true;
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
