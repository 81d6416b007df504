namespace Homeserver.Core.Federation.Discovery;

/// <summary>The host and port an SRV record points at.</summary>
public sealed record SrvTarget(string Host, int Port);
