namespace Homeserver.Core.Configuration;

/// <summary>
/// Mail the server sends: the tokens that prove a user owns an email address (registration, adding an address to
/// an account, a password reset). Off while <see cref="SmtpHost"/> is empty; email requests are then refused with <c>M_THREEPID_DENIED</c>.
/// </summary>
public sealed class EmailOptions
{
    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 25;
    /// <summary>Login at the SMTP server; none when empty.</summary>
    public string? SmtpUser { get; set; }
    public string? SmtpPass { get; set; }
    /// <summary>TLS from the first byte (SMTPS, usually port 465) rather than STARTTLS.</summary>
    public bool ForceTls { get; set; }
    /// <summary>Refuse to send unless the connection is encrypted (STARTTLS must be offered); off sends in the clear when it is not.</summary>
    public bool RequireTransportSecurity { get; set; }
    /// <summary>The From address of the server's mail, e.g. <c>Example Homeserver &lt;noreply@example.org&gt;</c>.</summary>
    public string NotifFrom { get; set; } = "";
    /// <summary>How long a mailed token stays valid.</summary>
    public Duration ValidationTokenLifetime { get; set; } = new(TimeSpan.FromHours(1));

    public bool Enabled => !string.IsNullOrEmpty(SmtpHost);
}
