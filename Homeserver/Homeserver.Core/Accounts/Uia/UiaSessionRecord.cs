namespace Homeserver.Core.Accounts.Uia;

/// <summary>A row of <c>uia_sessions</c>; <c>completed_stages</c> is a JSON array of stage types.</summary>
public sealed class UiaSessionRecord
{
    public string SessionId { get; set; } = "";
    public string OperationHash { get; set; } = "";
    public string? UserId { get; set; }
    public string CompletedStages { get; set; } = "[]";
    public long CreatedTs { get; set; }
    /// <summary>The database registration token whose pending use the session holds (<see cref="RegistrationTokenService"/>).</summary>
    public string? RegistrationToken { get; set; }
    /// <summary>The validation session of the address an <c>m.login.email.identity</c> stage proved (<see cref="Threepids.ValidationService"/>).</summary>
    public string? ThreepidSession { get; set; }
    /// <summary>A registration's parameters as its latest request with any gave them (JSON, without <c>auth</c> and <c>password</c>).</summary>
    public string? ClientParams { get; set; }
    /// <summary>The hash of the password a registration's request gave, so later stages need not send it again.</summary>
    public string? PasswordHash { get; set; }
    /// <summary>The user a registration session created: the same request again answers with this user.</summary>
    public string? RegisteredUserId { get; set; }
    /// <summary>The local user an <c>m.login.sso</c> stage proved; empty when the identity provider's user was not the session's.</summary>
    public string? SsoUserId { get; set; }
}
