namespace Homeserver.Core.Rooms.ThirdPartyInvites;

/// <summary>An invite by third-party identifier: the address, and the identity server (with the client's token there) that knows it.</summary>
public sealed record ThreepidInvite(string IdServer, string IdAccessToken, string Medium, string Address);
