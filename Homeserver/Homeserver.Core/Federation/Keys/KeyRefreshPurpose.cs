namespace Homeserver.Core.Federation.Keys;

/// <summary>Why a server's keys are fetched afresh, which decides how often they may be and from where.</summary>
public enum KeyRefreshPurpose
{
    /// <summary>
    /// A signature to check: asked of the server, then of the trusted notaries; at most once a minute per server, so
    /// signatures naming keys that do not exist cannot make us hammer it or the notaries.
    /// </summary>
    Verifying,

    /// <summary>
    /// A notary query we answer: asked of the server only (notaries trusting each other cannot loop), whenever the cache
    /// cannot answer, as Synapse's notary asks; queries arriving while a fetch of the server is under way share it.
    /// </summary>
    NotaryQuery,
}
