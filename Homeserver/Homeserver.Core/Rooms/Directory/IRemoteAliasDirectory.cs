using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>The room an alias of another server names, asked of that server (federation's directory query).</summary>
public interface IRemoteAliasDirectory
{
    /// <summary>The room and the servers in it to join through; null when the alias's server knows no such alias.</summary>
    Task<ResolvedAlias?> QueryAsync(RoomAlias alias, CancellationToken ct);
}

/// <summary>An alias's room and the servers that are in it, the ones to join it through first.</summary>
public sealed record ResolvedAlias(RoomId RoomId, IReadOnlyList<string> Servers);
