namespace Homeserver.Core.Accounts.Uia;

public static class UiaStages
{
    public const string Dummy = "m.login.dummy";
    public const string Password = "m.login.password";
    public const string RegistrationToken = "m.login.registration_token";
    public const string EmailIdentity = "m.login.email.identity";
    /// <summary>Completed in the browser through the fallback page, never by the client's own request.</summary>
    public const string Sso = "m.login.sso";
}
