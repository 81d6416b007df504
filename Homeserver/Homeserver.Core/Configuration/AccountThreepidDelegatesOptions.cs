namespace Homeserver.Core.Configuration;

/// <summary>
/// Identity servers that validate third-party IDs this server cannot itself (Synapse's <c>account_threepid_delegates</c>):
/// phone numbers need text messages, which this server does not send.
/// </summary>
public sealed class AccountThreepidDelegatesOptions
{
    /// <summary>The identity server (a server name, or an <c>https://</c> base URL) that texts tokens to phone numbers; none when empty.</summary>
    public string? Msisdn { get; set; }
}
