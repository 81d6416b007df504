using System.Text;

namespace Homeserver.Core.Accounts.Sso;

/// <summary>
/// Maps an identity provider's user name to a localpart as Synapse does, so accounts keep their names when a deployment
/// moves between the two: lower case, every other byte of the UTF-8 form as <c>=xx</c>, and a leading <c>_</c>
/// (which Synapse reserves for application services) escaped too. Distinct names give distinct localparts.
/// </summary>
public static class SsoLocalpart
{
    public static string From(string username)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(username.ToLowerInvariant()))
        {
            var c = (char)b;
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' or '.' or '/')
                sb.Append(c);
            else
                sb.Append('=').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (sb.Length > 0 && sb[0] == '_')
            sb.Remove(0, 1).Insert(0, "=5f");
        return sb.ToString();
    }
}
