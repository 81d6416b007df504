using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Media;

/// <summary>Media IDs and <c>mxc://</c> URIs. The spec limits media IDs to <c>[A-Za-z0-9_-]</c>, which also keeps them path-safe.</summary>
public static class MediaIds
{
    public static string New() => Accounts.SecureTokens.Alphanumeric(24);

    public static bool IsValid(string mediaId) =>
        mediaId.Length is > 0 and <= 255 && mediaId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    public static bool IsValidServerName(string serverName) => ServerNames.IsValid(serverName);

    /// <summary>400 <c>M_INVALID_PARAM</c> unless both are well formed.</summary>
    public static void EnsureValid(string serverName, string mediaId)
    {
        if (!IsValidServerName(serverName) || !IsValid(mediaId))
            throw MatrixException.InvalidParam("Invalid server name or media ID");
    }

    public static string MxcUri(string serverName, string mediaId) => $"mxc://{serverName}/{mediaId}";
}
