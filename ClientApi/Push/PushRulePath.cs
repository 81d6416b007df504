using Homeserver.Core.Errors;
using Homeserver.Core.Push.Rules;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ClientApi.Push;

/// <summary>What a <c>/pushrules</c> path names.</summary>
public enum PushRuleTarget
{
    All,
    Scope,
    Kind,
    Rule,
    Enabled,
    Actions,
}

/// <summary>
/// A <c>/pushrules</c> path read the way Synapse reads it, which clients and SyTest rely on: a trailing slash
/// lists (every rule, the <c>global</c> scope, or one kind), anything else names a rule and perhaps its
/// attribute. Any other shape, scope, kind or attribute is 400 <c>M_UNRECOGNIZED</c>, and no trailing slash at
/// all is 404. Segments are cut from the raw request target and decoded once, because ASP.NET Core keeps
/// <c>%2F</c> encoded in the path it decodes, and a rule ID must not keep it.
/// </summary>
public sealed record PushRulePath(PushRuleTarget Target, PushRuleKind Kind, string RuleId)
{
    private const string Root = "/pushrules";

    public static PushRulePath Of(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query >= 0 ? raw[..query] : raw;
        var rest = path[(path.IndexOf(Root, StringComparison.Ordinal) + Root.Length)..];
        if (!rest.StartsWith('/'))
            throw MatrixException.NotFound("Push rules are listed at /pushrules/");
        return Parse(rest[1..].Split('/').Select(Uri.UnescapeDataString).ToArray());
    }

    private static PushRulePath Parse(string[] segments)
    {
        if (segments is [""])
            return new PushRulePath(PushRuleTarget.All, default, "");
        if (segments is not ["global", var kindName, ..])
            throw Unrecognized("The only push rule scope is 'global', followed by a '/'");
        if (segments is [_, ""])
            return new PushRulePath(PushRuleTarget.Scope, default, "");
        if (!PushRuleKinds.TryParse(kindName, out var kind))
            throw Unrecognized($"Unknown push rule kind '{kindName}'");
        return segments switch
        {
            [_, _, ""] => new PushRulePath(PushRuleTarget.Kind, kind, ""),
            [_, _, var id] => new PushRulePath(PushRuleTarget.Rule, kind, id),
            [_, _, var id, "enabled"] when id.Length > 0 => new PushRulePath(PushRuleTarget.Enabled, kind, id),
            [_, _, var id, "actions"] when id.Length > 0 => new PushRulePath(PushRuleTarget.Actions, kind, id),
            _ => throw Unrecognized("A push rule path is /global/{kind}/ or /global/{kind}/{ruleId}[/enabled|/actions]"),
        };
    }

    public static MatrixException Unrecognized(string message) => new(400, ErrorCodes.Unrecognized, message);
}
