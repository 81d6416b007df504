using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Push.Rules;

/// <summary>
/// One condition of an override or underride rule, parsed once when the rule is loaded (paths split, globs
/// compiled). A kind this server does not know is kept as sent and never matches, as the spec requires.
/// </summary>
public sealed class PushCondition
{
    public const string EventMatch = "event_match";
    public const string EventPropertyIs = "event_property_is";
    public const string EventPropertyContains = "event_property_contains";
    public const string ContainsDisplayName = "contains_display_name";
    public const string RoomMemberCount = "room_member_count";
    public const string SenderNotificationPermission = "sender_notification_permission";

    /// <summary>JSON numbers that canonical JSON allows: integers within ±(2^53 - 1).</summary>
    private const long MaxSafeInteger = (1L << 53) - 1;

    private PushCondition(JsonObject json) => Json = json;

    /// <summary>The condition as the client sent it, returned unchanged by the API.</summary>
    public JsonObject Json { get; }

    public string Kind { get; private init; } = "";

    public string? Key { get; private init; }

    public IReadOnlyList<string>? Path { get; private init; }

    public GlobPattern? Pattern { get; private init; }

    /// <summary>For <c>event_match</c> on <c>content.body</c>, which matches words rather than the whole value.</summary>
    public bool MatchesWords { get; private init; }

    public JsonNode? Value { get; private init; }

    public string? MemberCountOperator { get; private init; }

    public long MemberCount { get; private init; }

    /// <summary>False when a known kind lacks or garbles its parameters; such a condition never matches.</summary>
    public bool IsWellFormed { get; private init; }

    /// <summary>Parses a stored or default condition.</summary>
    public static PushCondition From(JsonObject json)
    {
        var kind = json["kind"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : "";
        var key = json["key"] is JsonValue kv && kv.TryGetValue<string>(out var ks) ? ks : null;
        var pattern = json["pattern"] is JsonValue pv && pv.TryGetValue<string>(out var ps) ? ps : null;
        var hasValue = json.TryGetPropertyValue("value", out var value) && IsScalar(value);
        string? op = null;
        long count = 0;
        var wellFormed = kind switch
        {
            EventMatch => key is not null && pattern is not null,
            EventPropertyIs or EventPropertyContains => key is not null && hasValue,
            RoomMemberCount => json["is"] is JsonValue iv && iv.TryGetValue<string>(out var isText) && TryParseMemberCount(isText, out op, out count),
            SenderNotificationPermission => key is not null,
            ContainsDisplayName => true,
            _ => false,
        };
        return new PushCondition(json)
        {
            Kind = kind,
            Key = key,
            Path = key is null ? null : PropertyPath.Parse(key),
            Pattern = kind == EventMatch && pattern is not null ? GlobPattern.Parse(pattern) : null,
            MatchesWords = key == "content.body",
            Value = hasValue ? value : null,
            MemberCountOperator = op,
            MemberCount = count,
            IsWellFormed = wellFormed,
        };
    }

    /// <summary>Parses a condition a client sends, refusing a known kind with missing or invalid parameters.</summary>
    public static PushCondition FromClient(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw MatrixException.BadJson("Each condition must be an object");
        var json = JsonNode.Parse(element.GetRawText())!.AsObject();
        if (json["kind"] is not JsonValue k || !k.TryGetValue<string>(out var kind))
            throw MatrixException.BadJson("A condition needs a string 'kind'");
        var condition = From(json);
        if (!condition.IsWellFormed && IsKnown(kind))
            throw MatrixException.BadJson($"Invalid parameters for a '{kind}' condition");
        return condition;
    }

    private static bool IsKnown(string kind) =>
        kind is EventMatch or EventPropertyIs or EventPropertyContains or ContainsDisplayName or RoomMemberCount or SenderNotificationPermission;

    /// <summary>Strings, booleans, null and integers in the canonical-JSON range: the values the property conditions compare.</summary>
    public static bool IsScalar(JsonNode? node) => node switch
    {
        null => true,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String or JsonValueKind.True or JsonValueKind.False => true,
            JsonValueKind.Number => v.TryGetValue<long>(out var n) && Math.Abs(n) <= MaxSafeInteger,
            _ => false,
        },
        _ => false,
    };

    /// <summary>Exact equality of two scalars: no casts between strings, numbers and booleans.</summary>
    public static bool ScalarEquals(JsonNode? a, JsonNode? b)
    {
        if (!IsScalar(a) || !IsScalar(b))
            return false;
        if (a is null || b is null)
            return a is null && b is null;
        var ka = a.GetValueKind();
        if (ka != b.GetValueKind())
            return false;
        return ka switch
        {
            JsonValueKind.String => a.GetValue<string>() == b.GetValue<string>(),
            JsonValueKind.Number => a.AsValue().TryGetValue<long>(out var x) && b.AsValue().TryGetValue<long>(out var y) && x == y,
            _ => true,
        };
    }

    /// <summary>Parses <c>is</c>: a decimal integer after an optional <c>==</c>, <c>&lt;</c>, <c>&gt;</c>, <c>&lt;=</c> or <c>&gt;=</c>.</summary>
    public static bool TryParseMemberCount(string text, out string op, out long count)
    {
        op = text.StartsWith("==", StringComparison.Ordinal) ? "=="
            : text.StartsWith("<=", StringComparison.Ordinal) ? "<="
            : text.StartsWith(">=", StringComparison.Ordinal) ? ">="
            : text.StartsWith('<') ? "<"
            : text.StartsWith('>') ? ">"
            : "";
        var number = text[op.Length..];
        if (op == "")
            op = "==";
        return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out count);
    }
}
