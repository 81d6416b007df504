namespace Homeserver.Core.Federation.Edus;

/// <summary>The EDU types of the server-server API this server sends and receives.</summary>
public static class EduTypes
{
    public const string Typing = "m.typing";
    public const string Receipt = "m.receipt";
    public const string Presence = "m.presence";
    public const string DeviceListUpdate = "m.device_list_update";
    public const string SigningKeyUpdate = "m.signing_key_update";
    public const string DirectToDevice = "m.direct_to_device";
}
