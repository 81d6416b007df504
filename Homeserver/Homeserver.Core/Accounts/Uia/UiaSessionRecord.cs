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
}
