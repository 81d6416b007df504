using System.Text.Json;
using Homeserver.Core.E2ee;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Xunit;

namespace Homeserver.UnitTests.E2ee;

public sealed class KeyUploadValidatorTests
{
    private const string User = "@alice:example.org";
    private static readonly UserId Alice = UserId.Parse(User);
    private const string Device = "JLAFKJWSCS";
    private const string Curve = "3C5BFWi2Y8MaVvjM8M22DBmh24PmgR0nPvJOIArzgyI";
    private const string Ed = "lEuiRJBit0IG6nUf5pUzWTUEsRVVe/HJkoKuEww9ULI";

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private static string DeviceKeys(string user = User, string device = Device, string keys = $$$"""{"curve25519:{{{Device}}}":"{{{Curve}}}","ed25519:{{{Device}}}":"{{{Ed}}}"}""") =>
        $$$"""{"user_id":"{{{user}}}","device_id":"{{{device}}}","algorithms":["m.olm.v1.curve25519-aes-sha2"],"keys":{{{keys}}},"signatures":{"{{{User}}}":{"ed25519:{{{Device}}}":"sig"}},"unsigned":{"x":1}}""";

    private static string Errcode(Action a) => Assert.ThrowsAny<MatrixException>(a).Errcode;

    [Fact]
    public void DeviceKeys_OfTheSpecExample_AreAccepted_WithoutTheirUnsignedData()
    {
        var stored = KeyUploadValidator.DeviceKeys(Json(DeviceKeys()), Alice, Device);
        Assert.False(stored.ContainsKey("unsigned"));
        Assert.Equal(Ed, stored["keys"]!["ed25519:" + Device]!.GetValue<string>());
    }

    [Fact]
    public void DeviceKeys_OfAnotherUserOrDevice_OrNotOfTheSchema_AreRefused()
    {
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => KeyUploadValidator.DeviceKeys(Json(DeviceKeys(user: "@bob:example.org")), Alice, Device)));
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => KeyUploadValidator.DeviceKeys(Json(DeviceKeys(device: "OTHER")), Alice, Device)));
        Assert.Equal(ErrorCodes.BadJson, Errcode(() => KeyUploadValidator.DeviceKeys(Json(DeviceKeys(keys: $$$"""{"ed25519:{{{Device}}}":1}""")), Alice, Device)));
        Assert.Equal(ErrorCodes.BadJson, Errcode(() => KeyUploadValidator.DeviceKeys(Json(DeviceKeys(keys: "[]")), Alice, Device)));
        Assert.Equal(ErrorCodes.BadJson, Errcode(() => KeyUploadValidator.DeviceKeys(Json("""{"user_id":1}"""), Alice, Device)));
    }

    [Fact]
    public void DeviceKeys_WithKeysOfAnyNameOrForm_AreKept_AsTheSchemaAllows()
    {
        var stored = KeyUploadValidator.DeviceKeys(Json(DeviceKeys(keys: """{"ed25519:OTHER":"c2hvcnQ","curve25519:x":"curve25519+key"}""")), Alice, Device);
        Assert.Equal("curve25519+key", stored["keys"]!["curve25519:x"]!.GetValue<string>());
        Assert.Empty(KeyUploadValidator.DeviceKeys(Json(DeviceKeys(keys: "{}")), Alice, Device)["keys"]!.AsObject());
    }

    [Fact]
    public void OneTimeKeys_SplitTheirNames_AndNeedAKeyAndSignatures()
    {
        var keys = KeyUploadValidator.OneTimeKeys(Json($$$$"""{"signed_curve25519:AAAAHg":{"key":"{{{{Curve}}}}","signatures":{"{{{{User}}}}":{"ed25519:{{{{Device}}}}":"s"}}},"curve25519:AAAAHQ":"{{{{Curve}}}}"}"""), "one_time_keys");
        Assert.Equal([("signed_curve25519", "AAAAHg"), ("curve25519", "AAAAHQ")], keys.Select(k => (k.Algorithm, k.KeyId)));
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => KeyUploadValidator.OneTimeKeys(Json($$$"""{"signed_curve25519:":"{{{Curve}}}"}"""), "one_time_keys")));
        Assert.Equal(ErrorCodes.BadJson, Errcode(() => KeyUploadValidator.OneTimeKeys(Json($$$"""{"signed_curve25519:A":{"key":"{{{Curve}}}"}}"""), "one_time_keys")));
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => KeyUploadValidator.OneTimeKeys(Json("""{"signed_curve25519:A":{"key":1,"signatures":{}}}"""), "one_time_keys")));
        Assert.Equal("my_algorithm", Assert.Single(KeyUploadValidator.OneTimeKeys(Json("""{"my_algorithm:my_id_1":"my+base64+key"}"""), "one_time_keys")).Algorithm);
    }

    [Fact]
    public void OneTimeKeys_AreBoundedPerUpload()
    {
        var many = "{" + string.Join(",", Enumerable.Range(0, KeyUploadValidator.MaxKeysPerUpload + 1).Select(i => $"\"curve25519:k{i}\":\"{Curve}\"")) + "}";
        Assert.Equal(ErrorCodes.TooLarge, Errcode(() => KeyUploadValidator.OneTimeKeys(Json(many), "one_time_keys")));
    }

    [Fact]
    public void CrossSigningKey_IsOneEd25519KeyNamedByItself_ForTheRightUsage()
    {
        Assert.Equal(Ed, KeyUploadValidator.CrossSigningKey(Json($$$"""{"user_id":"{{{User}}}","usage":["master"],"keys":{"ed25519:{{{Ed}}}":"{{{Ed}}}"}}"""), Alice, "master", "master_key"));
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => KeyUploadValidator.CrossSigningKey(Json($$$"""{"user_id":"{{{User}}}","usage":["self_signing"],"keys":{"ed25519:{{{Ed}}}":"{{{Ed}}}"}}"""), Alice, "master", "master_key")));
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => KeyUploadValidator.CrossSigningKey(Json($$$"""{"user_id":"{{{User}}}","usage":["master"],"keys":{"ed25519:other":"{{{Ed}}}"}}"""), Alice, "master", "master_key")));
        Assert.Equal(ErrorCodes.InvalidParam, Errcode(() => KeyUploadValidator.CrossSigningKey(Json($$$"""{"user_id":"{{{User}}}","usage":["master"],"keys":{"ed25519:{{{Ed}}}":"{{{Ed}}}","ed25519:x":"x"}}"""), Alice, "master", "master_key")));
    }
}
