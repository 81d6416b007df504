using Homeserver.Core.Rooms.Directory;

namespace Homeserver.Core.AppServices;

/// <summary>
/// Aliases of an exclusive namespace are its service's alone, and a service creates aliases only inside its own
/// namespaces and may delete any of them (spec "Server admin style permissions").
/// </summary>
public sealed class AppServiceAliasPolicy(AppServiceRegistry registry) : IAliasPolicy
{
    public void EnsureMayCreate(string alias, string? appServiceId) =>
        registry.EnsureMayCreateAlias(alias, appServiceId is null ? null : registry.FindById(appServiceId));

    public bool MayDeleteAnyones(string alias, string? appServiceId) =>
        appServiceId is not null && registry.FindById(appServiceId) is { } service && service.Aliases.Any(n => n.Matches(alias));
}
