using System.Text.Json.Serialization;

namespace ClientApi.Account.Threepids;

/// <summary>The body of the <c>.../email/requestToken</c> endpoints; <c>id_server</c> and <c>id_access_token</c> are read by nothing here.</summary>
public sealed record EmailTokenRequest(string? ClientSecret, string? Email, long SendAttempt, string? NextLink);

/// <summary>The body of the <c>.../msisdn/requestToken</c> endpoints: a number as dialled in <c>country</c> (ISO 3166-1 alpha-2).</summary>
public sealed record MsisdnTokenRequest(string? ClientSecret, string? Country, string? PhoneNumber, long SendAttempt, string? NextLink);

/// <summary>A validation session and its secret, with the identity server that validated it when it is not ours.</summary>
public sealed record ThreepidCreds(string? Sid, string? ClientSecret, string? IdServer, string? IdAccessToken);

/// <summary>The deprecated <c>POST /account/3pid</c>: <c>three_pid_creds</c> (or the older <c>threePidCreds</c>) and whether to bind.</summary>
public sealed record LegacyAddRequest(ThreepidCreds? ThreePidCreds, [property: JsonPropertyName("threePidCreds")] ThreepidCreds? CamelCaseCreds, bool Bind);

/// <summary>The body of <c>/account/3pid/delete</c> and <c>/account/3pid/unbind</c>.</summary>
public sealed record ThreepidAddressRequest(string? Medium, string? Address, string? IdServer);
