namespace Homeserver.Core.Outbound;

/// <summary>A destination resolved only to addresses <see cref="OutboundAddressPolicy"/> refuses.</summary>
public sealed class OutboundAddressRefusedException(string host)
    : Exception($"'{host}' resolves only to private or otherwise refused addresses");
