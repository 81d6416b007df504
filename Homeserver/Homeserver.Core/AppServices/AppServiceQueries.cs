using Homeserver.Core.Accounts;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.Directory;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.AppServices;

/// <summary>
/// Asks the services whose namespaces cover an unknown user or alias whether they have it (spec "Querying":
/// <c>GET /_matrix/app/v1/users/{userId}</c>, <c>/rooms/{roomAlias}</c>); a service answering 2xx has created it on the
/// spot. As in Synapse, any namespace counts, exclusive or not, and the first service that says yes ends the search.
/// </summary>
public sealed class AppServiceQueries(AppServiceRegistry registry, AppServiceClient client, ILogger<AppServiceQueries> log)
    : IUnknownUserQuery, IUnknownAliasQuery
{
    public Task<bool> TryCreateAsync(UserId user, CancellationToken ct) =>
        AskAsync(registry.All.Where(s => registry.MayActAs(s, user)), $"users/{Uri.EscapeDataString(user.ToString())}", user.ToString(), ct);

    public Task<bool> TryCreateAsync(string alias, CancellationToken ct) =>
        AskAsync(registry.All.Where(s => s.Aliases.Any(n => n.Matches(alias))), $"rooms/{Uri.EscapeDataString(alias)}", alias, ct);

    private async Task<bool> AskAsync(IEnumerable<AppServiceRegistration> services, string path, string what, CancellationToken ct)
    {
        foreach (var service in services.Where(s => s.Url is not null))
        {
            var result = await client.GetAsync(service, path, ct);
            if (result.Succeeded)
                return true;
            log.LogDebug("The application service {AppService} does not have {Identifier} ({Error})", service.Id, what, result.Error);
        }
        return false;
    }
}
