using Homeserver.Core.Configuration;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Homeserver.Core.Accounts.Threepids;

/// <summary>Sends the server's mail through the configured SMTP server, one connection per message (validation mail is rare).</summary>
public sealed class EmailSender(EmailOptions options)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task SendAsync(string to, string subject, string text, CancellationToken ct)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.NotifFrom));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = text };
        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        var security = options.ForceTls ? SecureSocketOptions.SslOnConnect
            : options.RequireTransportSecurity ? SecureSocketOptions.StartTls
            : SecureSocketOptions.StartTlsWhenAvailable;
        await client.ConnectAsync(options.SmtpHost!, options.SmtpPort, security, ct);
        if (!string.IsNullOrEmpty(options.SmtpUser))
            await client.AuthenticateAsync(options.SmtpUser, options.SmtpPass ?? "", ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
    }
}
