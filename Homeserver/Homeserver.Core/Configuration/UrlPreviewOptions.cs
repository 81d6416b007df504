namespace Homeserver.Core.Configuration;

/// <summary>
/// URL previews (<c>GET /_matrix/client/v1/media/preview_url</c> and the legacy media paths): the server fetches a page
/// a user names, so it is off unless the operator turns it on, and every fetch goes through the outbound address guard.
/// </summary>
public sealed class UrlPreviewOptions
{
    public bool Enabled { get; set; }
    /// <summary>CIDR ranges exempt from the refusal of private, loopback and link-local destinations.</summary>
    public List<string> AllowedIpRanges { get; set; } = [];
    /// <summary>Further CIDR ranges refused on top of the private ones the guard always refuses.</summary>
    public List<string> DeniedIpRanges { get; set; } = [];
    /// <summary>URLs never previewed: an entry refuses a URL when all of its components match (Synapse's <c>url_preview_url_blacklist</c>).</summary>
    public List<UrlPatternOptions> UrlBlacklist { get; set; } = [];
    /// <summary>Largest page or image read; a longer answer stops the fetch.</summary>
    public ByteSize MaxSpiderSize { get; set; } = new(10L << 20);
    /// <summary>Time allowed for one fetch, redirects and body included.</summary>
    public Duration RequestTimeout { get; set; } = new(TimeSpan.FromSeconds(30));
    /// <summary>The <c>User-Agent</c> sent; some sites give Open Graph tags only to crawlers.</summary>
    public string UserAgent { get; set; } = "Homeserver (bot; URL preview)";
    /// <summary>The <c>Accept-Language</c> sent, so sites answer in the users' language.</summary>
    public List<string> AcceptLanguage { get; set; } = ["en"];
    /// <summary>How long a preview is served from the cache before the page is fetched again (at most a day).</summary>
    public Duration CacheDuration { get; set; } = new(TimeSpan.FromHours(1));
}
