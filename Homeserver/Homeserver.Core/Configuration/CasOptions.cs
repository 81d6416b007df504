namespace Homeserver.Core.Configuration;

/// <summary>
/// Single sign-on through a CAS server (Synapse's <c>cas_config</c>): clients log in with <c>m.login.sso</c>, the user
/// proves who they are to the CAS server, and the server maps the CAS user to a local account, created on first login.
/// </summary>
public sealed class CasOptions
{
    public bool Enabled { get; set; }
    /// <summary>The CAS server's base URL; users are sent to its <c>/login</c>, tickets are checked at its <c>/proxyValidate</c>.</summary>
    public string? ServerUrl { get; set; }
    /// <summary>The base URL the CAS server sends users back to; <c>public_baseurl</c> when empty.</summary>
    public string? ServiceUrl { get; set; }
    /// <summary>The name clients show on the button for this identity provider.</summary>
    public string IdpName { get; set; } = "CAS";
    /// <summary>The CAS attribute holding a new account's display name; none when empty.</summary>
    public string? DisplaynameAttribute { get; set; }
    /// <summary>Attributes the CAS server must give for a login to succeed.</summary>
    public List<CasRequiredAttribute> RequiredAttributes { get; set; } = [];
    /// <summary>Time allowed for the CAS server to validate a ticket.</summary>
    public Duration RequestTimeout { get; set; } = new(TimeSpan.FromSeconds(10));
    /// <summary>CIDR ranges the CAS server may be at although private, loopback or link-local.</summary>
    public List<string> AllowedIpRanges { get; set; } = [];
}

/// <summary>An attribute a CAS login must carry: <see cref="Value"/> among its values, or any value when empty.</summary>
public sealed class CasRequiredAttribute
{
    public string Name { get; set; } = "";
    public string? Value { get; set; }
}
