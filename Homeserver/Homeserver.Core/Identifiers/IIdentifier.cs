using System.Diagnostics.CodeAnalysis;

namespace Homeserver.Core.Identifiers;

/// <summary>An identifier with a text form that parses back to it, which lets one JSON converter serve them all.</summary>
public interface IIdentifier<TSelf> where TSelf : struct, IIdentifier<TSelf>
{
    static abstract bool TryParse(string? value, [NotNullWhen(true)] out TSelf? id);
}
