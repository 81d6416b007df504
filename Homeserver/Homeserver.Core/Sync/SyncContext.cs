using Homeserver.Core.AccountData;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Sync;

/// <summary>
/// One round of a sync as the providers see it: who asks and from where, the positions the round is bounded by,
/// and what one provider learns that another needs (memberships changed, for device lists; account data changed,
/// for rooms and the global section alike, read once).
/// </summary>
public sealed class SyncContext(SyncService.SyncRequest request, SyncToken upto, AccountDataStore accountData)
{
    private IReadOnlyList<AccountDataStore.Entry>? _accountData;

    public SyncService.SyncRequest Request => request;
    public UserId UserId => request.UserId;
    public string DeviceId => request.DeviceId;
    public SyncToken? Since => request.Since;
    public SyncFilter Filter => request.Filter;
    public bool FullState => request.FullState;

    /// <summary>An initial or full-state sync: everything, not only what changed since the token.</summary>
    public bool Initial => request.Since is null || request.FullState;

    /// <summary>Where the next token stands. A provider that holds part of its stream back moves its position down.</summary>
    public SyncToken Upto { get; private set; } = upto;

    /// <summary>Whether a membership changed in the window in a room the user is or was in (set by the rooms provider).</summary>
    public bool MembershipsChanged { get; set; }

    /// <summary>
    /// Users who came to share a room with the user in the window of an incremental sync (they joined one of the user's
    /// rooms, or the user joined theirs), set by the rooms provider for the presence provider.
    /// </summary>
    public ISet<string> NewlySharedWith { get; } = new HashSet<string>(StringComparer.Ordinal);

    public void HoldBack(string stream, long position) => Upto = Upto.With(stream, position);

    /// <summary>The user's account data written in the window (all of it for an initial sync).</summary>
    public async Task<IReadOnlyList<AccountDataStore.Entry>> AccountDataChangesAsync(CancellationToken ct) =>
        _accountData ??= await accountData.ChangedAsync(UserId.ToString(), request.FullState ? 0 : request.Since?.AccountData ?? 0, Upto.AccountData, ct);
}
