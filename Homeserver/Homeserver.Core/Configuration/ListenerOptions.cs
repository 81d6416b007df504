namespace Homeserver.Core.Configuration;

public sealed class ListenerOptions
{
    public string BindAddress { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 8008;
    /// <summary>Present when this listener terminates TLS itself, as federation peers connecting directly need.</summary>
    public TlsOptions? Tls { get; set; }
}
