using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Push.Rules;

namespace Homeserver.Core.Federation.Acl;

/// <summary>
/// The rules of one <c>m.room.server_acl</c> content (client-server API, "Server Access Control Lists"), applied to a
/// server name in the spec's order: an IP literal when <c>allow_ip_literals</c> is <c>false</c>, then <c>deny</c>,
/// then <c>allow</c>, else denied. Globs are matched case-insensitively against the name without its port. Pure, so
/// the spec's rules are tested as a table.
/// </summary>
public sealed class ServerAclEvaluator
{
    private readonly bool _allowIpLiterals;
    private readonly IReadOnlyList<GlobPattern> _allow;
    private readonly IReadOnlyList<GlobPattern> _deny;

    private ServerAclEvaluator(bool allowIpLiterals, IReadOnlyList<GlobPattern> allow, IReadOnlyList<GlobPattern> deny)
    {
        _allowIpLiterals = allowIpLiterals;
        _allow = allow;
        _deny = deny;
    }

    /// <summary>
    /// The rules of an ACL event's content. A missing or ill-typed <c>allow</c> or <c>deny</c> is an empty list and a
    /// non-boolean <c>allow_ip_literals</c> is <c>true</c>, as the event's schema says; entries that are not strings are
    /// skipped, as Synapse skips them.
    /// </summary>
    public static ServerAclEvaluator FromContent(JsonObject content)
    {
        var allowIpLiterals = content["allow_ip_literals"] is not JsonValue v || v.GetValueKind() != JsonValueKind.False;
        return new ServerAclEvaluator(allowIpLiterals, Globs(content["allow"]), Globs(content["deny"]));
    }

    public bool IsAllowed(string serverName)
    {
        var host = HostOf(serverName);
        if (!_allowIpLiterals && IsIpLiteral(host))
            return false;
        if (_deny.Any(g => g.MatchesWhole(host)))
            return false;
        return _allow.Any(g => g.MatchesWhole(host));
    }

    /// <summary>The server name without its port; an IPv6 literal keeps its brackets, as the name spells it.</summary>
    public static string HostOf(string serverName)
    {
        if (serverName.StartsWith('['))
        {
            var close = serverName.IndexOf(']');
            return close < 0 ? serverName : serverName[..(close + 1)];
        }
        var colon = serverName.LastIndexOf(':');
        return colon < 0 ? serverName : serverName[..colon];
    }

    // Dotted quads only: IPAddress.TryParse also reads "1" or "1.2" as IPv4, which are DNS names here.
    private static bool IsIpLiteral(string host) =>
        host.StartsWith('[') || (host.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit))
            && IPAddress.TryParse(host, out _));

    private static List<GlobPattern> Globs(JsonNode? list) =>
        list is JsonArray array
            ? array.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => GlobPattern.Parse(v.GetValue<string>())).ToList()
            : [];
}
