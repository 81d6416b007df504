namespace Homeserver.Core.Accounts;

/// <summary>A row of <c>user_threepids</c>: an email address or phone number an admin gave the account (milliseconds).</summary>
public sealed class ThreepidRecord
{
    public string Medium { get; set; } = "";
    public string Address { get; set; } = "";
    public long ValidatedAt { get; set; }
    public long AddedAt { get; set; }
}
