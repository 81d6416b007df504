namespace Homeserver.Core.Errors;

/// <summary>The spec's <c>errcode</c> values, in one place so a typo cannot invent a new one.</summary>
public static class ErrorCodes
{
    public const string Forbidden = "M_FORBIDDEN";
    public const string GuestAccessForbidden = "M_GUEST_ACCESS_FORBIDDEN";
    public const string UnknownToken = "M_UNKNOWN_TOKEN";
    public const string MissingToken = "M_MISSING_TOKEN";
    public const string BadJson = "M_BAD_JSON";
    public const string NotJson = "M_NOT_JSON";
    public const string NotFound = "M_NOT_FOUND";
    public const string LimitExceeded = "M_LIMIT_EXCEEDED";
    public const string Unrecognized = "M_UNRECOGNIZED";
    public const string Unknown = "M_UNKNOWN";
    public const string UserInUse = "M_USER_IN_USE";
    public const string InvalidUsername = "M_INVALID_USERNAME";
    public const string WeakPassword = "M_WEAK_PASSWORD";
    public const string TooLarge = "M_TOO_LARGE";
    public const string MissingParam = "M_MISSING_PARAM";
    public const string InvalidParam = "M_INVALID_PARAM";
    public const string BadAlias = "M_BAD_ALIAS";
    public const string UnknownPos = "M_UNKNOWN_POS";
    public const string InvalidRoomState = "M_INVALID_ROOM_STATE";
    public const string UserDeactivated = "M_USER_DEACTIVATED";
    /// <summary>MSC3823, stable in v1.13: the account is suspended by an admin.</summary>
    public const string UserSuspended = "M_USER_SUSPENDED";
    public const string Unauthorized = "M_UNAUTHORIZED";
    public const string Exclusive = "M_EXCLUSIVE";
    public const string UnknownDevice = "M_UNKNOWN_DEVICE";
    public const string UrlNotSet = "M_URL_NOT_SET";
    public const string BadStatus = "M_BAD_STATUS";
    public const string ConnectionFailed = "M_CONNECTION_FAILED";
    public const string ConnectionTimeout = "M_CONNECTION_TIMEOUT";
    public const string AppserviceLoginUnsupported = "M_APPSERVICE_LOGIN_UNSUPPORTED";
    /// <summary>MSC4174 Web Push activation.</summary>
    public const string ExpiredActivationToken = "M_EXPIRED_ACTIVATION_TOKEN";
    public const string UnknownActivationToken = "M_UNKNOWN_ACTIVATION_TOKEN";
    public const string InvalidSignature = "M_INVALID_SIGNATURE";
    public const string WrongRoomKeysVersion = "M_WRONG_ROOM_KEYS_VERSION";
    public const string ThreepidInUse = "M_THREEPID_IN_USE";
    public const string ThreepidNotFound = "M_THREEPID_NOT_FOUND";
    public const string ThreepidAuthFailed = "M_THREEPID_AUTH_FAILED";
    public const string ThreepidDenied = "M_THREEPID_DENIED";
    public const string ThreepidMediumNotSupported = "M_THREEPID_MEDIUM_NOT_SUPPORTED";
    public const string ServerNotTrusted = "M_SERVER_NOT_TRUSTED";
}
