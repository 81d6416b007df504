namespace Homeserver.Core.Configuration;

public sealed class LimitsOptions
{
    /// <summary>Largest non-media request body (Synapse's 200 × 64 KiB).</summary>
    public ByteSize MaxRequestBodySize { get; set; } = new(200 * 65536);

    /// <summary>Open WebSocket sync connections allowed from one client address; more are refused with 429.</summary>
    public int MaxWebsocketsPerAddress { get; set; } = 100;

    /// <summary>
    /// Reads with large answers (<c>/messages</c>, <c>/context</c>, <c>/relations</c>, <c>/threads</c>,
    /// <c>/notifications</c>, <c>/members</c>) one account may have running at once; more get 429.
    /// </summary>
    public int MaxConcurrentHeavyReads { get; set; } = 4;
}
