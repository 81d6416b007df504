namespace Homeserver.Core.Configuration;

public sealed class RegistrationOptions
{
    /// <summary>Open registration through <c>/register</c>. Off by default, as on every mature server.</summary>
    public bool Enabled { get; set; }
    /// <summary>Secret for the shared-secret admin registration endpoint; the endpoint is off when empty.</summary>
    public string? SharedSecret { get; set; }
    /// <summary>Require one of <see cref="Tokens"/> (<c>m.login.registration_token</c>) to register.</summary>
    public bool RequireToken { get; set; }
    public List<string> Tokens { get; set; } = [];
    /// <summary>
    /// Guest accounts (<c>/register?kind=guest</c>): no password, only the endpoints the spec's guest access module
    /// lists, and only rooms that allow guests. Independent of <see cref="Enabled"/>, as in Synapse.
    /// </summary>
    public bool AllowGuestAccess { get; set; }
}
