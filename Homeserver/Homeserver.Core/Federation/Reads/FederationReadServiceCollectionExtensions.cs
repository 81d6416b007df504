using Homeserver.Core.Federation.Acl;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Core.Federation.Reads;

public static class FederationReadServiceCollectionExtensions
{
    /// <summary>Server ACLs and the reads of rooms other servers make (events, state, auth chains, history, space hierarchies).</summary>
    public static IServiceCollection AddFederationReads(this IServiceCollection services)
    {
        services.AddSingleton<ServerAcls>();
        services.AddSingleton<ServerMembershipStore>();
        services.AddSingleton<ServerVisibilityService>();
        services.AddSingleton<EventGraphStore>();
        services.AddSingleton<FederationRoomAccess>();
        services.AddSingleton<FederationEventReads>();
        services.AddSingleton<FederationStateReads>();
        services.AddSingleton<FederationHistoryReads>();
        services.AddSingleton<Spaces.FederationHierarchyService>();
        return services;
    }
}
