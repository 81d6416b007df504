namespace Homeserver.Core.Accounts.Sso;

/// <summary>Who the CAS server says a ticket's holder is: the CAS user name and the attributes it gave.</summary>
public sealed record CasIdentity(string User, IReadOnlyDictionary<string, IReadOnlyList<string>> Attributes);
