using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.AccountData;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Homeserver.Core.Push.Rules;

/// <summary>
/// Users' push rule sets: read (cached per user, since every event in a room evaluates every member's set) and
/// changed through the <c>/pushrules/</c> API. After each change the whole set is written as the user's
/// <c>m.push_rules</c> account data, which bumps the account-data stream and so reaches their clients in /sync.
/// </summary>
public sealed class PushRuleService(Database db, PushRuleStore store, AccountDataStore accountData, IMemoryCache cache)
{
    public const string AccountDataType = "m.push_rules";

    private static readonly MemoryCacheEntryOptions Entry = new() { SlidingExpiration = TimeSpan.FromMinutes(30) };

    /// <summary>Rule changes are rare; one at a time keeps the read-reorder-write of positions simple.</summary>
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <summary>Bumped after each committed change, so a read that raced it does not leave a stale set cached.</summary>
    private long _changes;

    public async Task<PushRuleSet> GetAsync(UserId userId, CancellationToken ct) => (await GetManyAsync([userId.ToString()], ct))[userId.ToString()];

    /// <summary>The rule sets of several users; those not cached are loaded together.</summary>
    public async Task<IReadOnlyDictionary<string, PushRuleSet>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var sets = new Dictionary<string, PushRuleSet>();
        var missing = new List<string>();
        foreach (var userId in userIds)
        {
            if (cache.TryGetValue(Key(userId), out PushRuleSet? cached))
                sets[userId] = cached!;
            else
                missing.Add(userId);
        }
        if (missing.Count == 0)
            return sets;
        var seen = Interlocked.Read(ref _changes);
        var stored = await store.LoadAsync(missing, ct);
        foreach (var userId in missing)
        {
            var set = stored.TryGetValue(userId, out var s)
                ? PushRuleSet.Build(userId, s.Rules, s.DefaultChanges)
                : PushRuleSet.Build(userId, [], new Dictionary<(PushRuleKind, string), PushRuleSet.DefaultChange>());
            cache.Set(Key(userId), set, Entry);
            sets[userId] = set;
        }
        if (Interlocked.Read(ref _changes) != seen)
            foreach (var userId in missing)
                cache.Remove(Key(userId));
        return sets;
    }

    /// <summary>The rule, or 404 <c>M_NOT_FOUND</c>.</summary>
    public async Task<PushRule> GetRuleAsync(UserId userId, PushRuleKind kind, string ruleId, CancellationToken ct) =>
        (await GetAsync(userId, ct)).Find(kind, ruleId) ?? throw MatrixException.NotFound("The push rule was not found.");

    /// <summary>
    /// Creates or replaces one of the user's own rules. <paramref name="before"/> (which wins over
    /// <paramref name="after"/>) and <paramref name="after"/> place it next to another of the user's own rules.
    /// </summary>
    public async Task PutAsync(UserId userId, PushRuleKind kind, string ruleId, JsonElement body, string? before, string? after, CancellationToken ct)
    {
        if (ruleId.StartsWith('.'))
            throw MatrixException.InvalidParam("Rule IDs starting with '.' are reserved for server-default rules");
        if (ruleId.Length == 0 || ruleId.Contains('/') || ruleId.Contains('\\'))
            throw MatrixException.InvalidParam("Rule IDs must be non-empty and contain no '/' or '\\'");
        var rule = ParseRule(kind, ruleId, body);
        await ChangeAsync(userId, async (c, tx) =>
        {
            var order = (await PushRuleStore.RuleIdsAsync(c, tx, userId.ToString(), kind, ct)).ToList();
            var previous = order.IndexOf(ruleId);
            if (previous >= 0)
                order.RemoveAt(previous);
            if ((before ?? after) is { } anchor)
            {
                var at = order.IndexOf(anchor);
                if (at < 0)
                    throw new MatrixException(400, ErrorCodes.Unknown, $"before/after rule not found: {anchor}");
                order.Insert(before is not null ? at : at + 1, ruleId);
            }
            else
                order.Insert(previous >= 0 ? previous : 0, ruleId);
            await PushRuleStore.UpsertAsync(c, tx, userId.ToString(), rule, ct);
            await PushRuleStore.SetOrderAsync(c, tx, userId.ToString(), kind, order, ct);
        }, ct);
    }

    public async Task DeleteAsync(UserId userId, PushRuleKind kind, string ruleId, CancellationToken ct)
    {
        var rule = await GetRuleAsync(userId, kind, ruleId, ct);
        if (rule.IsDefault)
            throw MatrixException.InvalidParam("Server-default rules cannot be deleted; disable them instead");
        await ChangeAsync(userId, (c, tx) => PushRuleStore.DeleteAsync(c, tx, userId.ToString(), kind, ruleId, ct), ct);
    }

    public async Task SetEnabledAsync(UserId userId, PushRuleKind kind, string ruleId, bool enabled, CancellationToken ct)
    {
        var rule = await GetRuleAsync(userId, kind, ruleId, ct);
        await ChangeAsync(userId, (c, tx) => PushRuleStore.SetEnabledAsync(c, tx, userId.ToString(), rule, enabled, ct), ct);
    }

    public async Task SetActionsAsync(UserId userId, PushRuleKind kind, string ruleId, JsonArray actions, CancellationToken ct)
    {
        var rule = await GetRuleAsync(userId, kind, ruleId, ct);
        await ChangeAsync(userId, (c, tx) => PushRuleStore.SetActionsAsync(c, tx, userId.ToString(), rule, actions, ct), ct);
    }

    /// <summary>The <c>m.push_rules</c> account-data content: the whole set under <c>global</c>.</summary>
    public static JsonObject AccountDataContent(PushRuleSet rules) => new() { ["global"] = rules.ToJson() };

    private static PushRule ParseRule(PushRuleKind kind, string ruleId, JsonElement body)
    {
        if (!body.TryGetProperty("actions", out var actionsElement))
            throw MatrixException.MissingParam("'actions' is required");
        var actions = PushActions.FromClient(actionsElement);
        IReadOnlyList<PushCondition>? conditions = null;
        string? pattern = null;
        if (kind.HasConditions())
        {
            // The spec requires them for these kinds; an empty list is how a client asks to match every event.
            if (!body.TryGetProperty("conditions", out var list))
                throw MatrixException.MissingParam("Override and underride rules need 'conditions'");
            if (list.ValueKind != JsonValueKind.Array)
                throw MatrixException.BadJson("'conditions' must be an array");
            conditions = list.EnumerateArray().Select(PushCondition.FromClient).ToList();
        }
        else if (kind == PushRuleKind.Content)
        {
            if (!body.TryGetProperty("pattern", out var p))
                throw MatrixException.MissingParam("Content rules need a 'pattern'");
            pattern = p.ValueKind == JsonValueKind.String ? p.GetString() : throw MatrixException.BadJson("'pattern' must be a string");
        }
        return new PushRule(kind, ruleId, IsDefault: false, Enabled: true, conditions, pattern, actions);
    }

    /// <summary>Applies a change in one transaction, then drops the cached set and publishes the new one to the user's clients.</summary>
    private async Task ChangeAsync(UserId userId, Func<DbConnection, DbTransaction, Task> change, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            await db.WriteAsync(change, ct);
            Interlocked.Increment(ref _changes);
            cache.Remove(Key(userId.ToString()));
            var rules = await GetAsync(userId, ct);
            await accountData.PutAsync(userId.ToString(), null, AccountDataType, AccountDataContent(rules).ToJsonString(), ct);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static (string, string) Key(string userId) => ("push_rules", userId);
}
