namespace Homeserver.Core.Media.Remote;

/// <summary>One remote media ID: the unit the cache evicts and purges, original and thumbnails together.</summary>
public sealed record RemoteMediaKey(string Origin, string MediaId);
