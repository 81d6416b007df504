namespace Homeserver.Core.Federation.Sending;

/// <summary>
/// Told of every authenticated request another server makes to us: a server that talks to us is up, so a
/// destination we were backing off from is retried at once, as Synapse does.
/// </summary>
public interface IFederationContactSignal
{
    Task ContactedAsync(string origin, CancellationToken ct);
}
