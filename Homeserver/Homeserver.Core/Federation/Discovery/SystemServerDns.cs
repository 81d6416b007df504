using DnsClient;
using DnsClient.Protocol;

namespace Homeserver.Core.Federation.Discovery;

/// <summary>SRV lookups through the system's name servers.</summary>
public sealed class SystemServerDns : IServerDns
{
    private readonly LookupClient _dns = new(new LookupClientOptions { UseCache = true, Timeout = TimeSpan.FromSeconds(5), Retries = 1 });

    public async Task<SrvTarget?> FindSrvAsync(string name, CancellationToken ct)
    {
        IDnsQueryResponse answer;
        try
        {
            answer = await _dns.QueryAsync(name, QueryType.SRV, QueryClass.IN, ct);
        }
        catch (DnsResponseException)
        {
            // An unreachable name server is, for discovery, the same as no record: the next step is tried.
            return null;
        }
        // RFC 2782: lowest priority first; among equals the heaviest, a deterministic stand-in for the weighted draw.
        // A target of "." says the service is not offered there.
        var best = answer.Answers.SrvRecords().Where(r => r.Target.Value != ".")
            .OrderBy(r => r.Priority).ThenByDescending(r => r.Weight).FirstOrDefault();
        return best is null ? null : new SrvTarget(best.Target.Value.TrimEnd('.'), best.Port);
    }
}
