using System.Collections;
using Homeserver.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace Homeserver.Host.Configuration;

/// <summary>
/// Loads the YAML config, applies environment overrides, binds it to <see cref="HomeserverOptions"/> and
/// validates it. Override rule: <c>HOMESERVER__</c> then the dotted key with <c>__</c> for each dot, e.g.
/// <c>HOMESERVER__DATABASE__CONNECTION_STRING</c> or <c>HOMESERVER__LISTENERS__0__PORT</c>.
/// </summary>
public static class ConfigLoader
{
    public const string EnvPrefix = "HOMESERVER__";

    public static HomeserverOptions LoadFile(string path, IDictionary? environment = null)
    {
        if (!File.Exists(path))
            throw new ConfigException([new ConfigProblem("(file)", $"config file '{path}' does not exist")]);
        var options = Load(File.ReadAllText(path), environment ?? Environment.GetEnvironmentVariables());
        // Relative data_dir is relative to the config file, so the server can be started from anywhere.
        options.DataDir = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, options.DataDir));
        // Read here too, so check-config finds a broken registration file before a start does.
        AppServiceRegistrationLoader.LoadAll(options);
        return options;
    }

    public static HomeserverOptions Load(string yaml, IDictionary environment)
    {
        var flat = YamlFlattener.Flatten(yaml);
        foreach (DictionaryEntry e in environment)
        {
            var name = (string)e.Key;
            if (name.StartsWith(EnvPrefix, StringComparison.OrdinalIgnoreCase))
                flat[name[EnvPrefix.Length..].Replace("__", ".", StringComparison.Ordinal).ToLowerInvariant()] = e.Value as string;
        }
        var problems = OptionsShapeChecker.Check(flat, typeof(HomeserverOptions)).ToList();
        if (problems.Count > 0)
            throw new ConfigException(problems);

        var options = new HomeserverOptions();
        new ConfigurationBuilder()
            .AddInMemoryCollection(flat
                .Where(kv => kv.Value is not null)
                .Select(kv => KeyValuePair.Create(kv.Key.Replace("_", "", StringComparison.Ordinal).Replace('.', ':'), kv.Value)))
            .Build()
            .Bind(options);
        problems.AddRange(HomeserverOptionsValidator.Validate(options));
        if (problems.Count > 0)
            throw new ConfigException(problems);
        return options;
    }
}
