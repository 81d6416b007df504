using System.Globalization;
using Homeserver.Core.AppServices;
using Homeserver.Core.Configuration;
using Homeserver.Core.Identifiers;

namespace Homeserver.Host.Configuration;

/// <summary>
/// Reads the application-service registration files that <c>app_service_config_files</c> lists: the YAML every
/// bridge generates. A problem names the file and the key, as config problems do, and stops the start.
/// </summary>
public static class AppServiceRegistrationLoader
{
    private const string ConfigKey = "app_service_config_files";

    public static IReadOnlyList<AppServiceRegistration> LoadAll(HomeserverOptions options)
    {
        var problems = new List<ConfigProblem>();
        var loaded = new List<AppServiceRegistration>();
        for (var i = 0; i < options.AppServiceConfigFiles.Count; i++)
        {
            var path = options.ResolvePath(options.AppServiceConfigFiles[i]);
            var where = $"{ConfigKey}.{i} ({path})";
            if (!File.Exists(path))
            {
                problems.Add(new(where, "the file does not exist"));
                continue;
            }
            Dictionary<string, string?> flat;
            try
            {
                flat = YamlFlattener.Flatten(File.ReadAllText(path));
            }
            catch (ConfigException e)
            {
                problems.AddRange(e.Problems.Select(p => new ConfigProblem(where, p.Reason)));
                continue;
            }
            if (Read(flat, where, problems) is { } registration)
                loaded.Add(registration with { Source = path });
        }
        foreach (var group in loaded.GroupBy(r => r.Id).Where(g => g.Count() > 1))
            problems.Add(new(ConfigKey, $"the id '{group.Key}' is registered by {string.Join(" and ", group.Select(r => r.Source))}"));
        foreach (var group in loaded.GroupBy(r => r.AsToken).Where(g => g.Count() > 1))
            problems.Add(new(ConfigKey, $"{string.Join(" and ", group.Select(r => r.Source))} share an as_token; each service needs its own"));
        if (problems.Count > 0)
            throw new ConfigException(problems);
        return loaded;
    }

    private static AppServiceRegistration? Read(Dictionary<string, string?> flat, string where, List<ConfigProblem> problems)
    {
        var before = problems.Count;
        string Required(string key)
        {
            if (flat.GetValueOrDefault(key) is { Length: > 0 } value)
                return value;
            problems.Add(new($"{where}: {key}", "is required"));
            return "";
        }
        bool Flag(string key, bool fallback)
        {
            if (flat.GetValueOrDefault(key) is not { } text)
                return fallback;
            if (bool.TryParse(text, out var value))
                return value;
            problems.Add(new($"{where}: {key}", $"'{text}' is not true or false"));
            return fallback;
        }

        var id = Required("id");
        var asToken = Required("as_token");
        var hsToken = Required("hs_token");
        var sender = Required("sender_localpart");
        if (sender.Length > 0 && !UserId.IsValidNewLocalpart(sender))
            problems.Add(new($"{where}: sender_localpart", $"'{sender}' is not a valid user localpart (a-z, 0-9, . _ = - / +)"));
        if (asToken.Length > 0 && asToken == hsToken)
            problems.Add(new($"{where}: hs_token", "must differ from as_token: one authenticates the service to us, the other us to it"));
        Uri? url = null;
        if (!flat.ContainsKey("url"))
            problems.Add(new($"{where}: url", "is required (null for a service that receives nothing)"));
        else if (flat["url"] is { } text && (!Uri.TryCreate(text, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https")))
            problems.Add(new($"{where}: url", $"'{text}' is not an absolute http(s) URL"));
        var registration = new AppServiceRegistration
        {
            Id = id,
            Url = url,
            AsToken = asToken,
            HsToken = hsToken,
            SenderLocalpart = sender,
            Users = Namespaces(flat, "users", where, problems),
            Aliases = Namespaces(flat, "aliases", where, problems),
            Rooms = Namespaces(flat, "rooms", where, problems),
            RateLimited = Flag("rate_limited", true),
            Protocols = List(flat, "protocols"),
            ReceiveEphemeral = Flag("receive_ephemeral", false) || Flag("push_ephemeral", false) || Flag("de.sorunome.msc2409.push_ephemeral", false),
            DeviceMasquerading = Flag("org.matrix.msc3202", false),
        };
        return problems.Count == before ? registration : null;
    }

    private static List<AppServiceNamespace> Namespaces(Dictionary<string, string?> flat, string kind, string where, List<ConfigProblem> problems)
    {
        var result = new List<AppServiceNamespace>();
        for (var i = 0; ; i++)
        {
            var key = $"namespaces.{kind}.{i}";
            if (!flat.Keys.Any(k => k.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase) || k.Equals(key, StringComparison.OrdinalIgnoreCase)))
                return result;
            var regex = flat.GetValueOrDefault(key + ".regex");
            var exclusiveText = flat.GetValueOrDefault(key + ".exclusive");
            if (string.IsNullOrEmpty(regex))
            {
                problems.Add(new($"{where}: {key}.regex", "is required"));
                continue;
            }
            if (exclusiveText is null || !bool.TryParse(exclusiveText, out var exclusive))
            {
                problems.Add(new($"{where}: {key}.exclusive", "is required, true or false"));
                continue;
            }
            try
            {
                result.Add(new AppServiceNamespace(regex, exclusive));
            }
            catch (ArgumentException e)
            {
                problems.Add(new($"{where}: {key}.regex", $"'{regex}' is not a valid regular expression: {e.Message}"));
            }
        }
    }

    private static List<string> List(Dictionary<string, string?> flat, string key)
    {
        var result = new List<string>();
        for (var i = 0; flat.TryGetValue($"{key}.{i.ToString(CultureInfo.InvariantCulture)}", out var value); i++)
            if (value is not null)
                result.Add(value);
        return result;
    }
}
