using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using Homeserver.Core.Errors;

namespace Homeserver.Core.Storage;

/// <summary>
/// What text both engines store alike. PostgreSQL's <c>text</c> refuses U+0000 and its indexes refuse rows of
/// more than about 2.7 KB, where SQLite takes both; so that one input gets one answer on either engine:
/// <list type="bullet">
/// <item>identifiers a client chooses that are keys or indexed (device IDs, thread IDs, pusher keys, path
/// parameters) are at most <see cref="MaxIdentifierBytes"/> bytes of UTF-8 without control characters, else
/// 400 <c>M_INVALID_PARAM</c> (<see cref="EnsureIdentifier"/>);</item>
/// <item>columns copied out of stored JSON (an event's body or room name) drop U+0000 (<see cref="Column"/>);
/// the JSON keeps it, escaped, so clients read what was sent;</item>
/// <item>any other parameter holding U+0000 is refused with 400 <c>M_INVALID_PARAM</c> before it reaches
/// either engine (<see cref="EnsureStorable"/>, run on every statement's parameters).</item>
/// </list>
/// </summary>
public static class StoredText
{
    /// <summary>Synapse's cap on identifiers, and the spec's on user, room and event IDs.</summary>
    public const int MaxIdentifierBytes = 255;

    public static bool IsIdentifier(string value) =>
        Encoding.UTF8.GetByteCount(value) <= MaxIdentifierBytes && !value.Any(char.IsControl);

    /// <exception cref="MatrixException">400 <c>M_INVALID_PARAM</c> naming <paramref name="name"/>.</exception>
    public static string EnsureIdentifier(string value, string name) =>
        IsIdentifier(value)
            ? value
            : throw MatrixException.InvalidParam($"{name} must be at most {MaxIdentifierBytes} bytes of UTF-8 without control characters");

    /// <summary>A copy of JSON text for a column of its own: U+0000 dropped (the JSON itself keeps it).</summary>
    public static string? Column(string? value) => value?.Contains('\0') == true ? value.Replace("\0", "") : value;

    private static readonly ConcurrentDictionary<Type, Func<object, string?>[]> StringGetters = new();

    /// <summary>Refuses statement parameters holding U+0000, which PostgreSQL cannot store and SQLite would.</summary>
    /// <exception cref="MatrixException">400 <c>M_INVALID_PARAM</c>.</exception>
    public static void EnsureStorable(object? param)
    {
        if (param is null)
            return;
        foreach (var get in StringGetters.GetOrAdd(param.GetType(), GettersOf))
            if (get(param) is { } s && s.Contains('\0'))
                throw MatrixException.InvalidParam("Text containing U+0000 (NUL) cannot be stored");
    }

    private static Func<object, string?>[] GettersOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(string) && p.GetIndexParameters().Length == 0 && p.CanRead)
            .Select(p => (Func<object, string?>)(o => (string?)p.GetValue(o)))
            .ToArray();
}
