using Homeserver.Core.AccountData;
using Homeserver.Core.Admin.Users;
using Homeserver.Core.Accounts;
using Homeserver.Core.Accounts.Passwords;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Accounts.Uia;
using Homeserver.Core.Background;
using Homeserver.Core.Cluster;
using Homeserver.Core.Configuration;
using Homeserver.Core.Federation;
using Homeserver.Core.Federation.Edus;
using Homeserver.Core.Federation.Reads;
using Homeserver.Core.Federation.Sending;
using Homeserver.Core.Filters;
using Homeserver.Core.Health;
using Homeserver.Core.InboundFederation;
using Homeserver.Core.Keys;
using Homeserver.Core.Media;
using Homeserver.Core.Observability;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Creation;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.Purge;
using Homeserver.Core.Rooms.Retention;
using Homeserver.Core.Rooms.Relations;
using Homeserver.Core.Rooms.Reports;
using Homeserver.Core.Sync;
using Homeserver.Core.UserDirectory;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the domain services. Keys are loaded by the caller before the container is built, because
    /// creating them touches the disk and must fail start-up, not a first request.
    /// </summary>
    public static IServiceCollection AddHomeserverCore(this IServiceCollection services, HomeserverOptions options, SigningKey signingKey, TokenSigningKey tokenKey)
    {
        services.AddSingleton(options);
        services.AddSingleton(ServerIdentity.Of(options));
        services.AddSingleton(DefaultRoomVersion.Of(options));
        services.AddSingleton(options.Auth);
        services.AddSingleton(options.Registration);
        services.AddSingleton(options.Limits);
        services.AddSingleton(options.RateLimits);
        services.AddSingleton(options.Media);
        services.AddSingleton(options.Presence);
        services.AddSingleton(options.Push);
        services.AddSingleton(options.Federation);
        services.AddSingleton(new TrustedTracePropagator(options.Tracing.TrustedDestinations));
        services.AddSingleton<ServerHealth>();
        services.AddFederationClient(options);
        services.AddFederationReads();
        services.AddSingleton(signingKey);
        services.AddSingleton(tokenKey);
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddSingleton(sp => new Database(options.Database, options.DataDir, sp.GetRequiredService<ILoggerFactory>()));
        services.AddPeriodicWork("SQLite checkpoint", SqliteCheckpointer.Interval, sp => sp.GetRequiredService<Database>().CheckpointAsync);
        services.AddSingleton(new WriterInstance(options.Database.InstanceName));
        services.AddSingleton<StreamPositions>();
        services.AddStreamBus(options.Redis);
        services.AddSingleton<StreamPublisher>();
        services.AddPeriodicWork("Stream writer catch-up", StreamPositions.CatchUpInterval, sp => sp.GetRequiredService<StreamPositions>().CatchUpRoundAsync);
        // Other nodes' typing and revocations are taken in before the syncs they wake look for them.
        services.AddSingleton<Ephemeral.RemoteTyping>();
        services.AddSingleton<IStreamSubscriber>(sp => sp.GetRequiredService<Ephemeral.RemoteTyping>());
        services.AddSingleton<IStreamSubscriber, RemoteRevocations>();
        services.AddSingleton<IStreamSubscriber, SyncWaker>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<FailedLoginLimiter>();
        services.AddSingleton<PasswordChecker>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<AccessSessionStore>();
        services.AddSingleton<SessionValidator>();
        services.AddSingleton<AccessTokenReader>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<IDeviceDeletionStep, E2ee.DeviceKeysDeletionStep>();
        services.AddSingleton<IDeviceDeletionStep, ToDevice.ToDeviceInboxDeletionStep>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<DeviceStore>();
        services.AddSingleton<DeviceService>();
        services.AddSingleton<ProfileService>();
        services.AddSingleton<IProfileChangeStep, MemberProfileStep>();
        services.AddSingleton<UserLookup>();
        services.AddSingleton<Storage.IncidentalWrites>();
        services.AddSingleton<ActivityRecorder>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<UiaSessionStore>();
        services.AddSingleton<UiaService>();
        services.AddSingleton<RegistrationTokenStore>();
        services.AddSingleton<RegistrationTokenService>();
        services.AddSingleton<ThreepidStore>();
        services.AddUserAdmin();
        services.AddSingleton<JwtLoginValidator>();
        services.AddSingleton<SharedSecretRegistration>();
        services.AddSingleton<AccountDataStore>();
        services.AddSingleton<AccountDataService>();
        services.AddSingleton<RoomTagService>();
        services.AddSingleton<FilterStore>();
        services.AddSingleton<FilterService>();
        services.AddSingleton<MediaStore>();
        services.AddSingleton(_ => MediaContentStores.Create(options.Media.Storage, options));
        services.AddSingleton<MediaService>();
        services.AddSingleton<MediaAdminStore>();
        services.AddSingleton<MediaAdminService>();
        if (options.Media.Retention.LocalMediaLifetime is not null || options.Media.Retention.RemoteMediaLifetime is not null)
            services.AddLeasedPeriodicWork("media_retention", options.Media.Retention.Interval.Value,
                sp => ActivatorUtilities.CreateInstance<MediaCleanupJob>(sp, options.Media.Retention).RunAsync);
        services.AddSingleton<Media.Remote.RemoteMediaStore>();
        services.AddSingleton<Media.Remote.RemoteMediaCache>();
        services.AddSingleton<RoomStore>();
        services.AddSingleton<EventStore>();
        services.AddSingleton<BackwardExtremityStore>();
        services.AddSingleton<HistoryPurgeStore>();
        services.AddSingleton<HistoryPurgeService>();
        services.AddSingleton<RoomRetentionStore>();
        services.AddSingleton(options.Retention);
        if (options.Retention.Enabled)
            foreach (var (job, i) in options.Retention.EffectivePurgeJobs.Select((j, i) => (j, i)))
                services.AddLeasedPeriodicWork($"retention_purge_{i}", job.Interval.Value,
                    sp => ActivatorUtilities.CreateInstance<RetentionPurgeJob>(sp, job).RunAsync);
        services.AddSingleton<CurrentStateStore>();
        services.AddSingleton<StateService>();
        services.AddSingleton<SnapshotMembers>();
        services.AddSingleton<ClientTxnStore>();
        services.AddSingleton<RoomAliasStore>();
        services.AddSingleton<RoomAliasService>();
        services.AddSingleton<RoomLocks>();
        services.AddSingleton<EventPersister>();
        services.AddSingleton<SetAsideEventStore>();
        services.AddSingleton<PrevStateResolver>();
        services.AddSingleton<IVerifyKeys, Federation.Keys.RemoteVerifyKeys>();
        services.AddSingleton<FormatCheckStep>();
        services.AddSingleton<SignatureCheckStep>();
        services.AddSingleton<AuthEventsCheckStep>();
        services.AddSingleton<StateBeforeStep>();
        services.AddSingleton<PrevEventsBeforeRejected>();
        services.AddSingleton<StateAuthCheckStep>();
        services.AddSingleton<SoftFailCheckStep>();
        services.AddSingleton<EventIngest>();
        services.AddInboundFederation(options.Federation.Enabled);
        services.AddSingleton<IEventTransactionStep, Rooms.State.CurrentStateMergeStep>();
        services.AddSingleton<IEventTransactionStep, Push.PushActionsStep>();
        services.AddSingleton<GuestEvictionQueue>();
        services.AddSingleton<IEventTransactionStep>(sp => sp.GetRequiredService<GuestEvictionQueue>());
        services.AddHostedService<GuestEvictionWorker>();
        services.AddSingleton<GuestJoinPolicy>();
        services.AddFederationSending();
        services.AddFederationEdus();
        services.AddSingleton<VisibilityService>();
        services.AddSingleton<RoomEventGuard>();
        services.AddSingleton<RoomReadService>();
        services.AddSingleton<SenderRestrictions>();
        services.AddSingleton<RoomWriteService>();
        services.AddSingleton<MembershipService>();
        services.AddFederationMembership();
        services.AddSingleton<RestrictedJoinAuthoriser>();
        services.AddSingleton<RemoteMembershipStore>();
        services.AddSingleton<RoomCreationService>();
        services.AddSingleton<RedactionPolicy>();
        services.AddSingleton<RelationStore>();
        services.AddSingleton<RelationAggregator>();
        services.AddSingleton<RelationReadService>();
        services.AddSingleton<ContextReadService>();
        services.AddSingleton<RoomUpgradeService>();
        services.AddSingleton<PublishedRoomStore>();
        services.AddSingleton<PublicRoomsService>();
        services.AddSingleton<RoomPublicationService>();
        services.AddSingleton<NetworkRoomListStore>();
        services.AddSingleton<NetworkRoomPublicationService>();
        services.AddSingleton<EventReportStore>();
        services.AddSingleton<ReportService>();
        services.AddSingleton<ForgottenRoomStore>();
        services.AddSingleton<ForgetService>();
        services.AddSingleton<UserDirectoryStore>();
        services.AddSingleton<UserDirectoryService>();
        services.AddSingleton<SyncNotifier>();
        services.AddSingleton<Connections.SyncConnectionTracker>();
        services.AddSingleton<Presence.PresenceStore>();
        services.AddSingleton<Presence.PresenceService>();
        services.AddPeriodicWork("Presence sweep", Presence.PresenceService.SweepInterval, sp => sp.GetRequiredService<Presence.PresenceService>().SweepAsync);
        services.AddSingleton<Push.Rules.PushRuleStore>();
        services.AddSingleton<Push.Rules.PushRuleService>();
        services.AddSingleton<Push.PushActionsStore>();
        services.AddSingleton<Push.EventPushEvaluator>();
        services.AddSingleton<Push.Counts.NotificationCounts>();
        services.AddSingleton<Push.NotificationListService>();
        services.AddSingleton<Ephemeral.TypingService>();
        services.AddPeriodicWork("Typing expiry", Ephemeral.TypingService.ExpiryInterval, sp => sp.GetRequiredService<Ephemeral.TypingService>().ExpireAsync);
        services.AddSingleton<Ephemeral.ReceiptStore>();
        services.AddSingleton<Ephemeral.ReceiptService>();
        services.AddSingleton<JoinedRoomsPrefetcher>();
        services.AddSingleton<RoomSyncBuilder>();
        // The parts of a sync response, in the order the response lists them.
        services.AddSingleton<Sync.Providers.ISyncProvider, Sync.Providers.RoomsSyncProvider>();
        services.AddSyncProvider<Sync.Providers.AccountDataSyncProvider>();
        services.AddSingleton<Sync.Providers.ISyncProvider, Sync.Providers.PresenceSyncProvider>();
        services.AddSyncProvider<Sync.Providers.ToDeviceSyncProvider>();
        services.AddSyncProvider<Sync.Providers.DeviceListsSyncProvider>();
        services.AddSyncProvider<Sync.Providers.KeyCountsSyncProvider>();
        services.AddSingleton<SyncService>();
        services.AddSingleton<Sync.Legacy.LegacyRoomSnapshot>();
        services.AddSingleton<Sync.Legacy.LegacyInitialSync>();
        services.AddSingleton<Sync.Legacy.LegacyEventStream>();
        services.AddSingleton<SlidingSync.SlidingSyncConnectionStore>();
        services.AddSingleton<SlidingSync.SlidingRoomLists>();
        services.AddSingleton<SlidingSync.SlidingRoomBuilder>();
        services.AddSingleton<SlidingSync.SlidingSyncExtensions>();
        services.AddSingleton<SlidingSync.SlidingSyncService>();
        services.AddSingleton<IDeviceDeletionStep, SlidingSync.SlidingSyncDeviceDeletionStep>();
        services.AddPeriodicWork("Sliding sync connection expiry", SlidingSync.SlidingSyncService.ExpiryInterval,
            sp => sp.GetRequiredService<SlidingSync.SlidingSyncService>().ExpireAsync);
        services.AddSingleton<KeyChangesService>();
        services.AddSingleton<ToDevice.ToDeviceStore>();
        services.AddSingleton<ToDevice.ToDeviceService>();
        services.AddSingleton<E2ee.DeviceKeyStore>();
        services.AddSingleton<E2ee.DeviceListStore>();
        services.AddSingleton<E2ee.DeviceListService>();
        services.AddSingleton<E2ee.CrossSigningStore>();
        services.AddSingleton<E2ee.DeviceKeysService>();
        services.AddSingleton<E2ee.CrossSigningService>();
        services.AddSingleton<E2ee.Backup.KeyBackupStore>();
        services.AddSingleton<E2ee.Backup.KeyBackupService>();
        return services;
    }

    /// <summary>A part of /sync that sliding sync's extensions also use, so it is reachable by its own type too.</summary>
    private static void AddSyncProvider<T>(this IServiceCollection services) where T : class, Sync.Providers.ISyncProvider
    {
        services.AddSingleton<T>();
        services.AddSingleton<Sync.Providers.ISyncProvider>(sp => sp.GetRequiredService<T>());
    }
}
