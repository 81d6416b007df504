using ClientApi.AccountData;
using ClientApi.Account;
using ClientApi.AppServices;
using ClientApi.Admin;
using ClientApi.Auth;
using ClientApi.Devices;
using ClientApi.Discovery;
using ClientApi.Filters;
using ClientApi.Keys;
using ClientApi.Presence;
using ClientApi.Profile;
using ClientApi.Push;
using ClientApi.Rooms;
using ClientApi.Startup;
using ClientApi.Sync;
using ClientApi.ToDevice;
using ClientApi.UserDirectory;
using Homeserver.Http.Admin;
using Microsoft.AspNetCore.Routing;

namespace ClientApi;

public static class ClientApiEndpoints
{
    public static IEndpointRouteBuilder MapClientApi(this IEndpointRouteBuilder app)
    {
        var v3 = app.MapClientV3();
        var v1 = app.MapClientV1();
        DiscoveryEndpoints.Map(app, v3);
        LoginEndpoints.Map(v3);
        SsoEndpoints.Map(v3);
        RegisterEndpoints.Map(v3, v1);
        AppServiceEndpoints.Map(v1);
        AppServiceRoomListEndpoints.Map(v3);
        ThirdPartyEndpoints.Map(v3);
        LogoutEndpoints.Map(v3);
        AccountEndpoints.Map(v3);
        Account.Threepids.ThreepidEndpoints.Map(app);
        OpenIdEndpoints.Map(v3);
        DeviceEndpoints.Map(v3);
        ProfileEndpoints.Map(v3);
        AccountDataEndpoints.Map(v3);
        RoomTagEndpoints.Map(v3);
        FilterEndpoints.Map(v3);
        StartupEndpoints.Map(v3);
        RoomEndpoints.Map(v3, v1);
        SpaceHierarchyEndpoints.Map(v1);
        UserDirectoryEndpoints.Map(v3);
        SyncEndpoints.Map(v3);
        SlidingSyncEndpoints.Map(app);
        LegacyEndpoints.Map(v3);
        PeekEndpoints.Map(v3);
        TypingEndpoints.Map(v3);
        ReceiptEndpoints.Map(v3);
        PresenceEndpoints.Map(v3);
        PushRuleEndpoints.Map(v3);
        NotificationEndpoints.Map(v3);
        PusherEndpoints.Map(v3);
        ToDeviceEndpoints.Map(v3);
        KeysEndpoints.Map(v3);
        KeysEndpoints.MapUnstable(app);
        KeyBackupEndpoints.Map(v3);
        SharedSecretRegisterEndpoints.Map(app);
        ServerVersionEndpoints.Map(app);
        var admin = app.MapSynapseAdmin();
        AppServiceAdminEndpoints.Map(admin);
        AdminUserEndpoints.Map(admin);
        AdminDeviceEndpoints.Map(admin);
        AdminUserDataEndpoints.Map(admin);
        RegistrationTokenEndpoints.Map(admin);
        RateLimitOverrideEndpoints.Map(admin);
        WhoisEndpoints.Map(v3, admin);
        PurgeHistoryEndpoints.Map(admin);
        FederationAdminEndpoints.Map(admin);
        EventReportAdminEndpoints.Map(admin);
        RoomAdminEndpoints.Map(admin);
        RoomDeletionAdminEndpoints.Map(admin);
        ServerNoticeAdminEndpoints.Map(admin);
        UserReportAdminEndpoints.Map(admin);
        UserReportEndpoints.Map(v3);
        return app;
    }
}
