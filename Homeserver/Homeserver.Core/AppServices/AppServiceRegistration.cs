namespace Homeserver.Core.AppServices;

/// <summary>
/// An application service as its registration file describes it (spec "Application Service API", Registration).
/// <see cref="Url"/> is null for one that only acts as a client and receives nothing.
/// </summary>
public sealed record AppServiceRegistration
{
    public required string Id { get; init; }
    public required Uri? Url { get; init; }
    public required string AsToken { get; init; }
    public required string HsToken { get; init; }
    public required string SenderLocalpart { get; init; }
    public IReadOnlyList<AppServiceNamespace> Users { get; init; } = [];
    public IReadOnlyList<AppServiceNamespace> Aliases { get; init; } = [];
    public IReadOnlyList<AppServiceNamespace> Rooms { get; init; } = [];

    /// <summary>Whether its requests count against rate limits; the spec's default is true.</summary>
    public bool RateLimited { get; init; } = true;

    public IReadOnlyList<string> Protocols { get; init; } = [];

    /// <summary>Ephemeral events (typing, receipts, presence) in its transactions (MSC2409).</summary>
    public bool ReceiveEphemeral { get; init; }

    /// <summary>To-device messages and device-list changes in its transactions, and acting as a device (MSC3202).</summary>
    public bool DeviceMasquerading { get; init; }

    /// <summary>Where the registration came from, for messages an operator reads.</summary>
    public string Source { get; init; } = "";
}
