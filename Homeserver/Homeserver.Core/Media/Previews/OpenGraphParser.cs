using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Homeserver.Core.Media.Previews;

/// <summary>
/// The Open Graph tags of an HTML page, with Synapse's fallbacks where a page has none: Twitter's card tags, then the
/// title (or first heading), an <c>itemprop="image"</c>, the largest sized image, the first image or the icon, and
/// the meta description or the text of the body. <c>og:image</c> is returned as written (perhaps relative).
/// </summary>
public static partial class OpenGraphParser
{
    /// <summary>Tags read per prefix, so a page of endless meta tags costs a bounded answer.</summary>
    private const int MaxTagsPerPrefix = 50;
    private const int MaxDescriptionLength = 500;
    private static readonly string[] HiddenTextTags =
        ["header", "nav", "aside", "footer", "script", "noscript", "style", "svg", "iframe", "video", "canvas", "img", "picture"];

    public static JsonObject Parse(byte[] html, string contentType)
    {
        var document = Load(html, contentType);
        var og = new JsonObject();
        foreach (var prefix in new[] { "og", "article", "profile" })
            AddMetaTags(og, document, "property", prefix, key => key);
        var twitter = new JsonObject();
        AddMetaTags(twitter, document, "name", "twitter", TwitterToOpenGraph);
        foreach (var (key, value) in twitter)
            if (!og.ContainsKey(key))
                og[key] = value?.DeepClone();

        if (!og.ContainsKey("og:title"))
            og["og:title"] = FirstText(document, "title", "h1", "h2", "h3");
        if (!og.ContainsKey("og:image") && Image(document) is { } image)
            og["og:image"] = image;
        if (!og.ContainsKey("og:description"))
            og["og:description"] = MetaContent(document, "name", "description") is { } description
                ? description
                : Summarise(BodyText(document.Body));
        else if (og["og:description"]?.GetValue<string>() is { Length: > 0 } given)
            og["og:description"] = Summarise([given]);
        return og;
    }

    /// <summary>The charset the server named wins; otherwise the parser sniffs the page's own declaration, UTF-8 by default.</summary>
    private static IDocument Load(byte[] html, string contentType)
    {
        var charset = CharsetPattern().Match(contentType);
        Encoding? encoding = null;
        if (charset.Success)
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Groups[1].Value.Trim('"', '\''));
            }
            catch (ArgumentException)
            {
                encoding = null;
            }
        }
        if (encoding is not null)
            return new HtmlParser().ParseDocument(encoding.GetString(html));
        using var stream = new MemoryStream(html, writable: false);
        return new HtmlParser().ParseDocument(stream);
    }

    private static void AddMetaTags(JsonObject og, IDocument document, string attribute, string prefix, Func<string, string> key)
    {
        var count = 0;
        foreach (var meta in document.QuerySelectorAll($"meta[{attribute}^='{prefix}:']"))
        {
            var content = meta.GetAttribute("content");
            if (string.IsNullOrEmpty(content))
                continue;
            var name = key(meta.GetAttribute(attribute)!);
            if (!og.ContainsKey(name))
                og[name] = content;
            if (++count >= MaxTagsPerPrefix)
                break;
        }
    }

    /// <summary>Twitter's card tags answer for the Open Graph ones where a page gives only those.</summary>
    private static string TwitterToOpenGraph(string key) => key switch
    {
        "twitter:card" => "og:type",
        "twitter:title" => "og:title",
        "twitter:description" => "og:description",
        "twitter:image" => "og:image",
        _ => key,
    };

    private static string? FirstText(IDocument document, params string[] tags)
    {
        foreach (var tag in tags)
            if (document.QuerySelector(tag)?.TextContent.Trim() is { Length: > 0 } text)
                return text;
        return null;
    }

    private static string? MetaContent(IDocument document, string attribute, string value) =>
        document.QuerySelectorAll($"meta[{attribute}]")
            .Where(m => string.Equals(m.GetAttribute(attribute), value, StringComparison.OrdinalIgnoreCase))
            .Select(m => m.GetAttribute("content"))
            .FirstOrDefault(c => !string.IsNullOrEmpty(c));

    /// <summary>An <c>itemprop="image"</c>, else the largest image said to be over 10 pixels each way, else the first image, else the icon.</summary>
    private static string? Image(IDocument document)
    {
        if (MetaContent(document, "itemprop", "image") is { } meta)
            return meta;
        var images = document.QuerySelectorAll("img[src]").ToList();
        var sized = images
            .Select(i => (Src: i.GetAttribute("src")!, Area: Dimension(i, "width") * Dimension(i, "height"), Small: Dimension(i, "width") <= 10 || Dimension(i, "height") <= 10))
            .Where(i => !i.Small)
            .OrderByDescending(i => i.Area)
            .Select(i => i.Src)
            .FirstOrDefault();
        return sized
            ?? (images.Count > 0 ? images[0].GetAttribute("src") : null)
            ?? document.QuerySelector("link[href][rel*='icon']")?.GetAttribute("href");
    }

    private static double Dimension(IElement image, string attribute) =>
        double.TryParse(image.GetAttribute(attribute), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value : 0;

    /// <summary>The body's visible text, a coarse plain-text rendering: nothing from navigation, scripts or media.</summary>
    private static IEnumerable<string> BodyText(IElement? body)
    {
        if (body is null)
            yield break;
        var pending = new Stack<INode>([body]);
        var ordered = new List<string>();
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node is IText text)
            {
                if (text.Data.Trim() is { Length: > 0 } t)
                    ordered.Add(t);
                continue;
            }
            if (node is IElement element && HiddenTextTags.Contains(element.LocalName))
                continue;
            for (var i = node.ChildNodes.Length - 1; i >= 0; i--)
                pending.Push(node.ChildNodes[i]);
        }
        foreach (var t in ordered)
            yield return t;
    }

    /// <summary>Paragraphs joined until the description is long enough, cut at a word near 500 characters.</summary>
    private static string? Summarise(IEnumerable<string> paragraphs)
    {
        var description = new StringBuilder();
        foreach (var paragraph in paragraphs)
        {
            var collapsed = WhitespacePattern().Replace(paragraph, " ").Trim();
            if (collapsed.Length == 0)
                continue;
            if (description.Length > 0)
                description.Append('\n');
            description.Append(collapsed);
            if (description.Length >= MaxDescriptionLength)
                break;
        }
        if (description.Length == 0)
            return null;
        if (description.Length <= MaxDescriptionLength)
            return description.ToString();
        var cut = description.ToString(0, MaxDescriptionLength);
        var lastSpace = cut.LastIndexOf(' ');
        return (lastSpace > MaxDescriptionLength / 2 ? cut[..lastSpace] : cut).TrimEnd() + "…";
    }

    [GeneratedRegex(@"charset\s*=\s*([^;\s]+)", RegexOptions.IgnoreCase)]
    private static partial Regex CharsetPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespacePattern();
}
