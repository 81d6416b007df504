namespace Homeserver.Core.Federation.Membership;

/// <summary>
/// A resident server's answer to a membership handshake that we refuse: a template we will not sign, a state or auth
/// chain that does not verify. The next candidate server is tried; the message says what was wrong, for the log.
/// </summary>
public sealed class RemoteRoomException(string message) : Exception(message);
