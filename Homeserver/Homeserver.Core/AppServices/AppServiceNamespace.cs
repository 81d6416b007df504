using System.Text.RegularExpressions;

namespace Homeserver.Core.AppServices;

/// <summary>
/// One entry of a registration's <c>users</c>, <c>aliases</c> or <c>rooms</c> namespace. The spec's regular
/// expressions match the whole identifier (Synapse anchors them the same way), so <c>@irc_.*</c> does not claim
/// <c>@x:irc_server</c>.
/// </summary>
public sealed class AppServiceNamespace(string pattern, bool exclusive)
{
    private readonly Regex _regex = new($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));

    public string Pattern { get; } = pattern;
    public bool Exclusive { get; } = exclusive;

    public bool Matches(string value)
    {
        try
        {
            return _regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological pattern in an operator's file must not stall requests; it simply does not claim the ID.
            return false;
        }
    }
}
