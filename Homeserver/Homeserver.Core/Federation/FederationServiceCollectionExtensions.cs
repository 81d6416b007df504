using Homeserver.Core.Configuration;
using Homeserver.Core.Federation.Client;
using Homeserver.Core.Federation.Discovery;
using Homeserver.Core.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Homeserver.Core.Federation;

public static class FederationServiceCollectionExtensions
{
    /// <summary>Finding, reaching and signing requests to other homeservers.</summary>
    public static IServiceCollection AddFederationClient(this IServiceCollection services, HomeserverOptions options)
    {
        var caBundle = string.IsNullOrEmpty(options.Federation.ExtraCaBundle) ? null : options.ResolvePath(options.Federation.ExtraCaBundle);
        services.AddSingleton(sp => new FederationHttp(options.Federation, caBundle, sp.GetRequiredService<TrustedTracePropagator>()));
        services.AddSingleton<IServerDns, SystemServerDns>();
        services.AddSingleton<IWellKnownSource, HttpWellKnownSource>();
        services.AddSingleton<ServerResolver>();
        services.AddSingleton<FederationClient>();
        services.AddSingleton<Keys.ServerKeyStore>();
        services.AddSingleton<Keys.ServerKeyFetcher>();
        services.AddSingleton<Keys.NotaryKeyFetcher>();
        services.AddSingleton<Keys.ServerKeyRefresher>();
        services.AddSingleton<Keys.KeyQueryService>();
        services.AddSingleton<Homeserver.Core.E2ee.IRemoteKeys, E2ee.RemoteKeys>();
        services.AddSingleton<Homeserver.Core.Media.Remote.IRemoteMediaSource, Media.FederationMediaSource>();
        services.AddSingleton<Accounts.IRemoteProfiles, Profiles.RemoteProfiles>();
        services.AddSingleton<Rooms.Directory.IRemotePublicRooms, Directory.RemotePublicRooms>();
        services.AddSingleton<Rooms.Spaces.IRemoteSpaceHierarchy, Spaces.RemoteSpaceHierarchy>();
        return services;
    }

    /// <summary>The membership handshakes with other servers: served (make_*, send_*, invite) and sent (remote joins, invites, leaves).</summary>
    public static IServiceCollection AddFederationMembership(this IServiceCollection services)
    {
        services.AddSingleton<Membership.ResidentRoom>();
        services.AddSingleton<Membership.MembershipTemplateService>();
        services.AddSingleton<Membership.SendMembershipService>();
        services.AddSingleton<Membership.JoinResponseBuilder>();
        services.AddSingleton<Membership.StrippedStateReader>();
        services.AddSingleton<Membership.JoinStateVerifier>();
        services.AddSingleton<Membership.RemoteRoomSeeder>();
        services.AddSingleton<Rooms.Memberships.IRemoteMembership, Membership.RemoteMembershipService>();
        services.AddSingleton<Rooms.Directory.IRemoteAliasDirectory, Membership.RemoteAliasDirectory>();
        services.AddSingleton<Membership.InviteReceiver>();
        services.AddSingleton<Rooms.Memberships.IRemoteInvite, Membership.RemoteInviteSender>();
        return services;
    }
}
