using System.Text.Json;
using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.AppServices;

/// <summary>
/// The registered application services and where their queues stand, for a server admin: what an operator asks when
/// a bridge stops relaying (is it reachable, since when not, why, and what is waiting for it).
/// </summary>
public sealed class AppServiceStatus(AppServiceRegistry registry, AppServiceStateStore states, AccountService accounts)
{
    public sealed record Entry(
        string Id,
        string? Url,
        string Sender,
        bool ReceiveEphemeral,
        bool DeviceMasquerading,
        IReadOnlyList<string> Protocols,
        long? EventsPosition,
        long? LastTxnId,
        long? PendingTxnId,
        int? PendingEvents,
        long? LastSuccessTs,
        long? LastFailureTs,
        string? LastError);

    public async Task<IReadOnlyList<Entry>> ListAsync(UserId requester, CancellationToken ct)
    {
        await accounts.EnsureAdminAsync(requester, ct);
        var byId = (await states.ListAsync(ct)).ToDictionary(s => s.AsId, StringComparer.Ordinal);
        return registry.All.Select(r =>
        {
            var s = byId.GetValueOrDefault(r.Id);
            return new Entry(r.Id, r.Url?.ToString(), registry.SenderOf(r).ToString(), r.ReceiveEphemeral, r.DeviceMasquerading, r.Protocols,
                s?.EventsPosition, s?.LastTxnId, s?.PendingTxnId,
                s?.PendingEventIds is { } ids ? JsonSerializer.Deserialize<List<string>>(ids)?.Count : null,
                s?.LastSuccessTs, s?.LastFailureTs, s?.LastError);
        }).ToList();
    }
}
