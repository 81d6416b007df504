using Homeserver.Core.AccountData;
using Homeserver.Core.Accounts;
using Homeserver.Core.Accounts.Passwords;
using Homeserver.Core.Accounts.Tokens;
using Homeserver.Core.Accounts.Uia;
using Homeserver.Core.Configuration;
using Homeserver.Core.Filters;
using Homeserver.Core.Keys;
using Homeserver.Core.Media;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Creation;
using Homeserver.Core.Rooms.Directory;
using Homeserver.Core.Rooms.Ingest;
using Homeserver.Core.Rooms.Memberships;
using Homeserver.Core.Rooms.Relations;
using Homeserver.Core.Rooms.Reports;
using Homeserver.Core.Sync;
using Homeserver.Core.UserDirectory;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;
using Homeserver.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

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
        services.AddSingleton(signingKey);
        services.AddSingleton(tokenKey);
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddSingleton(sp => new Database(options.Database, options.DataDir));
        services.AddSingleton<StreamPositions>();
        services.AddSingleton<Migrator>();
        services.AddSingleton(new PasswordHasher(options.Auth));
        services.AddSingleton<FailedLoginLimiter>();
        services.AddSingleton<PasswordChecker>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<AccessSessionStore>();
        services.AddSingleton<SessionValidator>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<DeviceStore>();
        services.AddSingleton<Storage.IncidentalWrites>();
        services.AddSingleton<ActivityRecorder>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<UiaSessionStore>();
        services.AddSingleton<UiaService>();
        services.AddSingleton<JwtLoginValidator>();
        services.AddSingleton<SharedSecretRegistration>();
        services.AddSingleton<AccountDataStore>();
        services.AddSingleton<FilterStore>();
        services.AddSingleton<MediaStore>();
        services.AddSingleton<IMediaContentStore>(new LocalMediaContentStore(options.ResolvePath(options.Media.StorePath)));
        services.AddSingleton<MediaService>();
        services.AddSingleton<RoomStore>();
        services.AddSingleton<EventStore>();
        services.AddSingleton<CurrentStateStore>();
        services.AddSingleton<StateService>();
        services.AddSingleton<SnapshotMembers>();
        services.AddSingleton<ClientTxnStore>();
        services.AddSingleton<RoomAliasStore>();
        services.AddSingleton<RoomLocks>();
        services.AddSingleton<EventPersister>();
        services.AddSingleton<VisibilityService>();
        services.AddSingleton<RoomReadService>();
        services.AddSingleton<RoomWriteService>();
        services.AddSingleton<MembershipService>();
        services.AddSingleton<RestrictedJoinAuthoriser>();
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
        services.AddSingleton<EventReportStore>();
        services.AddSingleton<ReportService>();
        services.AddSingleton<ForgottenRoomStore>();
        services.AddSingleton<ForgetService>();
        services.AddSingleton<UserDirectoryStore>();
        services.AddSingleton<UserDirectoryService>();
        services.AddSingleton<SyncNotifier>();
        services.AddSingleton<SyncConnectionTracker>();
        services.AddSingleton<RoomPeerNotifier>();
        services.AddSingleton<Presence.PresenceStore>();
        services.AddSingleton<Presence.PresenceService>();
        services.AddSingleton<Push.PushActionsSignal>();
        services.AddSingleton<Push.Rules.PushRuleStore>();
        services.AddSingleton<Push.Rules.PushRuleService>();
        services.AddSingleton<Push.PushActionsStore>();
        services.AddSingleton<Push.EventPushEvaluator>();
        services.AddSingleton<Push.Counts.NotificationCounts>();
        services.AddSingleton<Push.NotificationListService>();
        services.AddSingleton<Ephemeral.TypingService>();
        services.AddSingleton<Ephemeral.ReceiptStore>();
        services.AddSingleton<Ephemeral.ReceiptService>();
        services.AddSingleton<JoinedRoomsPrefetcher>();
        services.AddSingleton<RoomSyncBuilder>();
        services.AddSingleton<SyncService>();
        services.AddSingleton<ToDevice.ToDeviceStore>();
        services.AddSingleton<ToDevice.ToDeviceService>();
        services.AddSingleton<E2ee.DeviceKeyStore>();
        services.AddSingleton<E2ee.DeviceListStore>();
        services.AddSingleton<E2ee.DeviceListService>();
        services.AddSingleton<E2ee.CrossSigningStore>();
        services.AddSingleton<E2ee.DeviceKeysService>();
        services.AddSingleton<E2ee.CrossSigningService>();
        services.AddSingleton<E2ee.E2eeSyncSection>();
        services.AddSingleton<E2ee.Backup.KeyBackupStore>();
        services.AddSingleton<E2ee.Backup.KeyBackupService>();
        return services;
    }
}
