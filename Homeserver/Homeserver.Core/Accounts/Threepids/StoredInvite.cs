using System.Text.Json.Nodes;

namespace Homeserver.Core.Accounts.Threepids;

/// <summary>An invite an identity server holds for an address not yet bound: what <c>store-invite</c> answered.</summary>
public sealed record StoredInvite(string Token, string DisplayName, string? PublicKey, IReadOnlyList<JsonObject> PublicKeys);
