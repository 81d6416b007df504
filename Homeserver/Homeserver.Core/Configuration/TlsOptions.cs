namespace Homeserver.Core.Configuration;

public sealed class TlsOptions
{
    public string CertificatePath { get; set; } = "";
    public string KeyPath { get; set; } = "";
}
