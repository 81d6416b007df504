namespace Homeserver.Core.Push.Rules;

/// <summary>The five kinds of push rule, in the order they are checked.</summary>
public enum PushRuleKind
{
    Override,
    Content,
    Room,
    Sender,
    Underride,
}

public static class PushRuleKinds
{
    public static IReadOnlyList<PushRuleKind> All { get; } = Enum.GetValues<PushRuleKind>();

    public static string Name(this PushRuleKind kind) => kind switch
    {
        PushRuleKind.Override => "override",
        PushRuleKind.Content => "content",
        PushRuleKind.Room => "room",
        PushRuleKind.Sender => "sender",
        _ => "underride",
    };

    public static bool TryParse(string name, out PushRuleKind kind)
    {
        foreach (var k in All)
            if (k.Name() == name)
            {
                kind = k;
                return true;
            }
        kind = default;
        return false;
    }

    /// <summary>Override and underride rules carry conditions; the others have theirs implied by the rule ID or pattern.</summary>
    public static bool HasConditions(this PushRuleKind kind) => kind is PushRuleKind.Override or PushRuleKind.Underride;
}
