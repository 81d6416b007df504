using System.Text;
using System.Text.Json.Nodes;
using Homeserver.Core.Keys;

namespace Homeserver.Core.Keys;

/// <summary>
/// The <c>X-Matrix</c> request signature (server-server API, "Request Authentication"): the origin signs a JSON
/// object of the method, the target URI (path and query as sent), both server names and the parsed body.
/// </summary>
public static class XMatrixAuthorization
{
    public const string Scheme = "X-Matrix";

    /// <summary>The header value (scheme included), in the form older servers read: one space, lower-case names, quoted values, no spaces around commas.</summary>
    public static string Create(SigningKey key, string origin, string destination, string method, string uri, JsonNode? content)
    {
        var signed = SignedObject(origin, destination, method, uri, content);
        JsonSigning.SignJson(signed, origin, key);
        var signature = signed["signatures"]![origin]![key.KeyId]!.GetValue<string>();
        return $"{Scheme} origin=\"{origin}\",destination=\"{destination}\",key=\"{key.KeyId}\",sig=\"{signature}\"";
    }

    /// <summary>True when <paramref name="credentials"/> sign this request with <paramref name="publicKey"/>.</summary>
    public static bool Verify(XMatrixCredentials credentials, ReadOnlySpan<byte> publicKey, string destination, string method, string uri, JsonNode? content)
    {
        var signed = SignedObject(credentials.Origin, destination, method, uri, content);
        signed["signatures"] = new JsonObject { [credentials.Origin] = new JsonObject { [credentials.KeyId] = credentials.Signature } };
        return JsonSigning.VerifyJson(signed, credentials.Origin, credentials.KeyId, publicKey);
    }

    /// <summary>
    /// Reads a header by RFC 9110's grammar: the scheme (any case), one or more spaces, then name=value pairs
    /// separated by commas with optional spaces and tabs; names in any case and order, values bare tokens (colons
    /// allowed, as older servers send them) or quoted strings with backslash escapes; unknown names ignored.
    /// </summary>
    public static bool TryParse(string? header, out XMatrixCredentials? credentials)
    {
        credentials = null;
        if (header is null || header.Length <= Scheme.Length || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || header[Scheme.Length] != ' ')
            return false;
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = Scheme.Length;
        while (i < header.Length && header[i] == ' ')
            i++;
        while (i < header.Length)
        {
            var nameStart = i;
            while (i < header.Length && IsTokenChar(header[i]))
                i++;
            if (i == nameStart || i >= header.Length || header[i] != '=')
                return false;
            var name = header[nameStart..i];
            i++;
            if (!TryReadValue(header, ref i, out var value) || !values.TryAdd(name, value))
                return false;
            SkipSpaces(header, ref i);
            if (i == header.Length)
                break;
            if (header[i] != ',')
                return false;
            i++;
            SkipSpaces(header, ref i);
        }
        if (!values.TryGetValue("origin", out var origin) || !values.TryGetValue("key", out var keyId) || !values.TryGetValue("sig", out var sig))
            return false;
        credentials = new XMatrixCredentials(origin, values.GetValueOrDefault("destination"), keyId, sig);
        return true;
    }

    private static JsonObject SignedObject(string origin, string destination, string method, string uri, JsonNode? content)
    {
        var signed = new JsonObject { ["method"] = method, ["uri"] = uri, ["origin"] = origin, ["destination"] = destination };
        if (content is not null)
            signed["content"] = content.DeepClone();
        return signed;
    }

    private static bool TryReadValue(string header, ref int i, out string value)
    {
        value = "";
        if (i < header.Length && header[i] == '"')
        {
            var text = new StringBuilder();
            for (i++; i < header.Length; i++)
            {
                var c = header[i];
                if (c == '"')
                {
                    i++;
                    value = text.ToString();
                    return true;
                }
                if (c == '\\')
                {
                    if (++i == header.Length)
                        return false;
                    c = header[i];
                }
                text.Append(c);
            }
            return false;
        }
        var start = i;
        while (i < header.Length && (IsTokenChar(header[i]) || header[i] == ':'))
            i++;
        value = header[start..i];
        return i > start;
    }

    private static void SkipSpaces(string header, ref int i)
    {
        while (i < header.Length && header[i] is ' ' or '\t')
            i++;
    }

    /// <summary>RFC 9110 tchar.</summary>
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
