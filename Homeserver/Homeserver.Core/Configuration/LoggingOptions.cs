namespace Homeserver.Core.Configuration;

/// <summary>How log lines are written to the console.</summary>
public sealed class LoggingOptions
{
    public const string Text = "text";
    public const string Json = "json";

    /// <summary><see cref="Text"/>: one readable line per entry; <see cref="Json"/>: one JSON object per line, its properties as fields.</summary>
    public string Format { get; set; } = Text;
}
