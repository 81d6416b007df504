using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace Homeserver.IntegrationTests.Accounts.Threepids;

/// <summary>
/// An SMTP server on a loopback port that accepts every message and keeps it by recipient, speaking just enough of
/// RFC 5321 (no STARTTLS, no extensions) for the server's mail client.
/// </summary>
public sealed class SmtpCatcher : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<MimeMessage>> _mail = new();
    private readonly Task _accepting;

    private SmtpCatcher()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static SmtpCatcher Start() => new();

    /// <summary>Messages received so far for <paramref name="address"/>.</summary>
    public IReadOnlyList<MimeMessage> MailTo(string address) =>
        _mail.TryGetValue(address.ToLowerInvariant(), out var q) ? q.ToArray() : [];

    /// <summary>Waits for the <paramref name="count"/>th message to <paramref name="address"/>.</summary>
    public async Task<MimeMessage> WaitForMailAsync(string address, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var mail = MailTo(address);
            if (mail.Count >= count)
                return mail[count - 1];
            await Task.Delay(50);
        }
        throw new TimeoutException($"no mail number {count} to {address}");
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        var recipients = new List<string>();
        await writer.WriteLineAsync("220 catcher ESMTP");
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO" or "HELO":
                    await writer.WriteLineAsync("250 catcher");
                    break;
                case "MAIL":
                    recipients.Clear();
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "RCPT":
                    recipients.Add(line[(line.IndexOf('<') + 1)..line.IndexOf('>')].ToLowerInvariant());
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 go on");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync(_stop.Token) is { } l && l != ".")
                        data.Append(l.StartsWith("..", StringComparison.Ordinal) ? l[1..] : l).Append("\r\n");
                    var message = MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(data.ToString())));
                    foreach (var r in recipients)
                        _mail.GetOrAdd(r, _ => new ConcurrentQueue<MimeMessage>()).Enqueue(message);
                    await writer.WriteLineAsync("250 queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 OK");
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
