namespace Homeserver.Core.Accounts;

/// <summary>A row of <c>user_threepid_id_servers</c>: an identity server this server bound one of the account's third-party IDs at.</summary>
public sealed class ThreepidBinding
{
    public string Medium { get; set; } = "";
    public string Address { get; set; } = "";
    public string IdServer { get; set; } = "";
}
