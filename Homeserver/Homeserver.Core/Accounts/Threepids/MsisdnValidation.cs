using System.Text.Json.Nodes;
using Homeserver.Core.Configuration;
using Homeserver.Core.Errors;
using Microsoft.Extensions.Logging;
using PhoneNumbers;

namespace Homeserver.Core.Accounts.Threepids;

/// <summary>
/// Proving that a user reads a phone number (<c>.../msisdn/requestToken</c>). This server sends no text messages: as
/// Synapse, it passes the request to the identity server configured in <c>account_threepid_delegates.msisdn</c>, which
/// texts the token and keeps the session, and without one refuses in Matrix shape. A number is checked against the
/// accounts' numbers first, in E.164 digits as identity servers and Synapse store it.
/// </summary>
public sealed class MsisdnValidation(ThreepidStore threepids, IdentityServerClient identityServers, AccountThreepidDelegatesOptions delegates,
    ILogger<MsisdnValidation> log)
{
    public const string Msisdn = "msisdn";

    /// <summary>The identity server's answer (its <c>sid</c>, perhaps a <c>submit_url</c>) to a request to text a token to the number.</summary>
    public async Task<JsonObject> RequestTokenAsync(ValidationPurpose purpose, string? clientSecret, string? country, string? phoneNumber, long sendAttempt,
        string? nextLink, CancellationToken ct)
    {
        ValidationService.ValidateClientSecret(clientSecret);
        ValidationService.ValidateNextLink(nextLink);
        if (string.IsNullOrEmpty(country) || string.IsNullOrEmpty(phoneNumber))
            throw MatrixException.MissingParam("country and phone_number are required");
        // Synapse no longer serves a reset by phone number: no stage of POST /account/password could use the proof.
        if (purpose is ValidationPurpose.PasswordReset)
            throw new MatrixException(400, ErrorCodes.ThreepidMediumNotSupported, "Password reset by phone number is not supported by this homeserver");
        var msisdn = ToMsisdn(country, phoneNumber);
        if (await threepids.FindOwnerAsync(Msisdn, msisdn, ct) is not null)
            throw new MatrixException(400, ErrorCodes.ThreepidInUse, "Phone number is already in use");
        if (string.IsNullOrEmpty(delegates.Msisdn))
            throw purpose is ValidationPurpose.Registration
                ? new MatrixException(400, ErrorCodes.Unknown, "Registration by phone number is not supported on this homeserver")
                : new MatrixException(400, ErrorCodes.ThreepidMediumNotSupported, "Adding phone numbers to user account is not supported by this homeserver");
        var request = new JsonObject
        {
            ["country"] = country, ["phone_number"] = phoneNumber, ["client_secret"] = clientSecret, ["send_attempt"] = sendAttempt,
        };
        if (nextLink is not null)
            request["next_link"] = nextLink;
        var idServer = IdentityServerClient.NormaliseName(delegates.Msisdn);
        var answer = await identityServers.RequestMsisdnTokenAsync(idServer, request, ct);
        log.LogInformation("Identity server {IdServer} was asked to text a token for a {Purpose}", idServer, purpose);
        return answer;
    }

    /// <summary>A number as dialled in <paramref name="country"/> (ISO 3166-1 alpha-2), in E.164 digits without the <c>+</c>.</summary>
    public static string ToMsisdn(string country, string phoneNumber)
    {
        var util = PhoneNumberUtil.GetInstance();
        try
        {
            return util.Format(util.Parse(phoneNumber, country.ToUpperInvariant()), PhoneNumberFormat.E164).TrimStart('+');
        }
        catch (NumberParseException)
        {
            throw MatrixException.InvalidParam("Unable to parse the phone number");
        }
    }
}
