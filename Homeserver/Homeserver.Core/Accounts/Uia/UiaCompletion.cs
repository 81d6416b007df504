namespace Homeserver.Core.Accounts.Uia;

/// <summary>
/// What a completed UIA session held for the operation: its ID, the database registration token whose pending use it took,
/// and the validation session of the email address an <c>m.login.email.identity</c> stage proved.
/// </summary>
public sealed record UiaCompletion(string SessionId, string? RegistrationToken, string? ThreepidSession);
