using System.Globalization;
using System.Text.Json.Nodes;
using Homeserver.Core.Events;
using Homeserver.Core.Json;

namespace Homeserver.Core.Rooms.AuthRules;

/// <summary>Reads one value of an <c>m.room.power_levels</c> event the way the room version allows.</summary>
internal static class PowerLevelValue
{
    /// <summary>
    /// A JSON integer within canonical JSON's range ±(2^53 − 1) (the power levels schema's stated range).
    /// Only where the version still accepts them (before v10, fragment "m.room.power_levels events accept
    /// values as strings"), also a string holding a base-10 integer with optional sign, leading zeroes and
    /// surrounding whitespace.
    /// </summary>
    public static bool TryRead(JsonNode? node, RoomVersion version, out long value)
    {
        if (PduReader.TryGetInteger(node, out value))
        {
            return IsInRange(value);
        }

        if (!version.IntegerOnlyPowerLevels && PduReader.TryGetString(node, out string? text))
        {
            return TryParseString(text.Trim(), out value);
        }

        value = 0;
        return false;
    }

    private static bool TryParseString(string text, out long value)
    {
        value = 0;
        ReadOnlySpan<char> digits = text.AsSpan();
        bool negative = digits.Length > 0 && digits[0] == '-';
        if (digits.Length > 0 && digits[0] is '-' or '+')
        {
            digits = digits[1..];
        }

        // NumberStyles.None: digits only, so no second sign, decimal point or group separator slips through.
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long magnitude))
        {
            return false;
        }

        value = negative ? -magnitude : magnitude;
        return IsInRange(value);
    }

    private static bool IsInRange(long value) => value is >= -CanonicalJson.MaxSafeInteger and <= CanonicalJson.MaxSafeInteger;
}
