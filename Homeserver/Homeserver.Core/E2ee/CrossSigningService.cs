using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Core.Accounts;
using Homeserver.Core.Configuration;
using Homeserver.Core.Encodings;
using Homeserver.Core.Errors;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Json;
using Homeserver.Core.Keys;
using Homeserver.Core.Streams;

namespace Homeserver.Core.E2ee;

/// <summary>
/// Cross-signing (spec "Cross-signing"): uploading the master, self-signing and user-signing keys, and
/// publishing signatures of device keys and master keys made with them.
/// </summary>
public sealed class CrossSigningService(StreamPublisher writer, CrossSigningStore store, DeviceKeyStore deviceKeys, DeviceStore devices,
    IDeviceListRelay relay, ServerIdentity server)
{
    private static readonly (string Field, string Type)[] Fields =
        [("master_key", CrossSigningStore.Master), ("self_signing_key", CrossSigningStore.SelfSigning), ("user_signing_key", CrossSigningStore.UserSigning)];

    /// <summary>A checked <c>/keys/device_signing/upload</c>; <see cref="RequiresAuth"/> says whether UIA must pass before committing it.</summary>
    public sealed record SigningKeysUpload(UserId UserId, IReadOnlyList<CrossSigningStore.Key> Keys, bool RequiresAuth);

    public async Task<SigningKeysUpload> PrepareSigningKeysAsync(UserId userId, JsonElement body, CancellationToken ct)
    {
        var user = userId.ToString();
        var uploaded = new Dictionary<string, (CrossSigningStore.Key Key, JsonObject Node)>();
        foreach (var (field, type) in Fields)
        {
            if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
                continue;
            var publicKey = KeyUploadValidator.CrossSigningKey(value, userId, type, field);
            var node = DeviceKeysService.ParseObject(value.GetRawText());
            uploaded[type] = (new CrossSigningStore.Key { KeyType = type, PublicKey = publicKey, KeyJson = DeviceKeysService.Canonical(node) }, node);
        }
        var existing = await store.KeysAsync(user, ct);
        var master = uploaded.TryGetValue(CrossSigningStore.Master, out var m) ? m.Key : existing.GetValueOrDefault(CrossSigningStore.Master);
        foreach (var type in new[] { CrossSigningStore.SelfSigning, CrossSigningStore.UserSigning })
        {
            if (!uploaded.TryGetValue(type, out var sub))
                continue;
            if (master is null)
                throw MatrixException.MissingParam("No master signing key to check the other keys against");
            if (!JsonSigning.VerifyJson(sub.Node, user, "ed25519:" + master.PublicKey, UnpaddedBase64.Decode(master.PublicKey)))
                throw new MatrixException(400, ErrorCodes.InvalidSignature, $"The {type} key is not signed by the master signing key");
        }
        var deviceIds = (await devices.ListAsync(user, ct)).Select(d => d.DeviceId).ToHashSet(StringComparer.Ordinal);
        if (uploaded.Values.FirstOrDefault(u => deviceIds.Contains(u.Key.PublicKey)) is { Key: not null } clash)
            throw MatrixException.Forbidden($"The {clash.Key.KeyType} key's public key is one of your device IDs");
        // Spec: no UIA for a first upload, nor for re-sending exactly the keys already stored (a retried request).
        var requiresAuth = existing.ContainsKey(CrossSigningStore.Master) && !(uploaded.ContainsKey(CrossSigningStore.Master)
            && uploaded.Values.All(u => existing.TryGetValue(u.Key.KeyType, out var e) && e.KeyJson == u.Key.KeyJson));
        return new SigningKeysUpload(userId, uploaded.Values.Select(u => u.Key).ToList(), requiresAuth);
    }

    public async Task CommitSigningKeysAsync(SigningKeysUpload upload, CancellationToken ct)
    {
        if (upload.Keys.Count == 0)
            return;
        var user = upload.UserId.ToString();
        await writer.WriteAsync(async st =>
        {
            foreach (var key in upload.Keys)
                await CrossSigningStore.PutKeyAsync(st.Connection, st.Transaction, user, key, ct);
            await DeviceListStore.RecordChangeAsync(st, user, ct);
            await relay.SigningKeysChangedAsync(st, user, upload.Keys, ct);
        }, ct);
    }

    private sealed record AcceptedSignature(UserId TargetUserId, string TargetKeyId, string SignerKeyId, string Signature);

    /// <summary><c>/keys/signatures/upload</c>: stores every signature that checks out and reports the others under <c>failures</c>.</summary>
    public async Task<JsonObject> UploadSignaturesAsync(UserId requester, JsonElement body, CancellationToken ct)
    {
        var failures = new JsonObject();
        var accepted = new List<AcceptedSignature>();
        var mine = await store.KeysAsync(requester.ToString(), ct);
        foreach (var user in body.EnumerateObject())
        {
            var target = UserId.Parse(user.Name);
            if (user.Value.ValueKind != JsonValueKind.Object)
                throw MatrixException.BadJson($"{user.Name} must map key IDs to signed keys");
            foreach (var key in user.Value.EnumerateObject())
            {
                try
                {
                    if (target.ServerName != server.ServerName)
                        throw new MatrixException(400, ErrorCodes.Unknown, "This server does not reach other servers yet");
                    if (key.Value.ValueKind != JsonValueKind.Object)
                        throw MatrixException.BadJson("The signed key must be an object");
                    var signed = DeviceKeysService.ParseObject(key.Value.GetRawText());
                    accepted.AddRange(target == requester
                        ? await OwnKeySignaturesAsync(requester, key.Name, signed, mine, ct)
                        : [await OtherMasterSignatureAsync(requester, target, key.Name, signed, mine, ct)]);
                }
                catch (MatrixException e)
                {
                    var byUser = failures[user.Name] as JsonObject ?? (JsonObject)(failures[user.Name] = new JsonObject());
                    byUser[key.Name] = new JsonObject { ["errcode"] = e.Errcode, ["error"] = e.Message };
                }
            }
        }
        if (accepted.Count > 0)
        {
            var signer = requester.ToString();
            await writer.WriteAsync(async st =>
            {
                foreach (var s in accepted)
                    await CrossSigningStore.PutSignatureAsync(st.Connection, st.Transaction, s.TargetUserId.ToString(), s.TargetKeyId, signer, s.SignerKeyId, s.Signature, ct);
                // Signing someone else's master key changes only the signer's own view of them.
                var streamId = await DeviceListStore.RecordChangeAsync(st, signer, ct);
                // Other servers keep our users' device keys, so a device newly signed by its owner is news to them.
                var signedDevices = accepted.Where(s => s.TargetUserId == requester && s.TargetKeyId != mine.GetValueOrDefault(CrossSigningStore.Master)?.PublicKey)
                    .Select(s => s.TargetKeyId).Distinct().ToList();
                if (signedDevices.Count > 0)
                    await relay.DevicesChangedAsync(st, signer, streamId, signedDevices, deleted: false, ct);
            }, ct);
        }
        return new JsonObject { ["failures"] = failures };
    }

    /// <summary>A device signed by the user's self-signing key, or the user's master key signed by their devices.</summary>
    private async Task<IReadOnlyList<AcceptedSignature>> OwnKeySignaturesAsync(UserId userId, string keyId, JsonObject signed,
        Dictionary<string, CrossSigningStore.Key> mine, CancellationToken ct)
    {
        if (mine.TryGetValue(CrossSigningStore.Master, out var master) && master.PublicKey == keyId)
        {
            EnsureSameKey(signed, master.KeyJson);
            var result = new List<AcceptedSignature>();
            foreach (var (signerKeyId, _) in SignaturesBy(signed, userId))
            {
                var (algorithm, deviceId) = KeyUploadValidator.SplitKeyId(signerKeyId, "signatures");
                if (algorithm != "ed25519" || await deviceKeys.DeviceKeysAsync(userId.ToString(), deviceId, ct) is not { } deviceJson
                    || JsonFields.String(DeviceKeysService.ParseObject(deviceJson)["keys"], signerKeyId) is not { } devicePublic)
                    continue;
                result.Add(Verified(signed, userId, keyId, userId, signerKeyId, devicePublic));
            }
            return result.Count > 0 ? result : throw new MatrixException(400, ErrorCodes.InvalidSignature, "No signature by one of your devices");
        }
        var stored = await deviceKeys.DeviceKeysAsync(userId.ToString(), keyId, ct) ?? throw MatrixException.NotFound("Unknown device or key");
        EnsureSameKey(signed, stored);
        var ssk = mine.GetValueOrDefault(CrossSigningStore.SelfSigning) ?? throw MatrixException.NotFound("You have no self-signing key");
        return [Verified(signed, userId, keyId, userId, "ed25519:" + ssk.PublicKey, ssk.PublicKey)];
    }

    /// <summary>Another user's master key signed by the requester's user-signing key.</summary>
    private async Task<AcceptedSignature> OtherMasterSignatureAsync(UserId requester, UserId targetUser, string keyId, JsonObject signed,
        Dictionary<string, CrossSigningStore.Key> mine, CancellationToken ct)
    {
        var theirs = await store.KeysAsync(targetUser.ToString(), ct);
        if (!theirs.TryGetValue(CrossSigningStore.Master, out var master) || master.PublicKey != keyId)
            throw MatrixException.NotFound("Unknown master key");
        EnsureSameKey(signed, master.KeyJson);
        var usk = mine.GetValueOrDefault(CrossSigningStore.UserSigning) ?? throw MatrixException.NotFound("You have no user-signing key");
        return Verified(signed, targetUser, keyId, requester, "ed25519:" + usk.PublicKey, usk.PublicKey);
    }

    private static AcceptedSignature Verified(JsonObject signed, UserId targetUser, string targetKeyId, UserId signer, string signerKeyId, string publicKey)
    {
        var signature = SignaturesBy(signed, signer).FirstOrDefault(s => s.KeyId == signerKeyId).Signature;
        if (signature is null || !UnpaddedBase64.TryDecode(publicKey, out var keyBytes) || !JsonSigning.VerifyJson(signed, signer.ToString(), signerKeyId, keyBytes))
            throw new MatrixException(400, ErrorCodes.InvalidSignature, $"Missing or invalid signature by {signerKeyId}");
        return new AcceptedSignature(targetUser, targetKeyId, signerKeyId, signature);
    }

    private static IEnumerable<(string KeyId, string Signature)> SignaturesBy(JsonObject signed, UserId signer) =>
        signed["signatures"] is JsonObject all && all[signer.ToString()] is JsonObject mine
            ? mine.Where(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String).Select(p => (p.Key, p.Value!.GetValue<string>()))
            : [];

    /// <summary>The signed object must be the stored key itself, signatures and unsigned data aside.</summary>
    private static void EnsureSameKey(JsonObject signed, string storedJson)
    {
        try
        {
            if (!CanonicalJson.EncodeWithout(signed, "signatures", "unsigned").AsSpan()
                    .SequenceEqual(CanonicalJson.EncodeWithout(JsonNode.Parse(storedJson), "signatures", "unsigned")))
                throw MatrixException.InvalidParam("The signed object differs from the stored key");
        }
        catch (CanonicalJsonException)
        {
            throw MatrixException.BadJson("The signed object is not canonical JSON");
        }
    }
}
