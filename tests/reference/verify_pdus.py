"""Checks PDUs that our server signed with the reference Python libraries (signedjson, canonicaljson).

Reads a JSON document on stdin: {"server_name", "key_id", "public_key" (unpadded base64), "room_version",
"events": [{"event_id", "pdu"}]}. For each PDU it redacts the event by the room version's rules (written here
from the spec, independently of the server's own code), verifies the server's signature over it, recomputes the
content hash and, for room versions whose event IDs are hashes, the event ID. Writes one JSON object per event:
{"event_id", "signature_ok", "content_hash_ok", "event_id_ok", "error"}.
"""
import base64
import copy
import hashlib
import json
import sys

from canonicaljson import encode_canonical_json
from signedjson.key import decode_verify_key_bytes
from signedjson.sign import SignatureVerifyException, verify_signed_json

TOP_LEVEL_KEYS_V1 = {
    "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
    "prev_events", "prev_state", "auth_events", "origin", "origin_server_ts", "membership",
}
TOP_LEVEL_KEYS_V11 = TOP_LEVEL_KEYS_V1 - {"origin", "membership", "prev_state"}


def version_number(room_version):
    return int(room_version)


def redact(event, room_version):
    v = version_number(room_version)
    keep = TOP_LEVEL_KEYS_V11 if v >= 11 else TOP_LEVEL_KEYS_V1
    redacted = {k: copy.deepcopy(val) for k, val in event.items() if k in keep}
    content = event.get("content", {})
    kind = event.get("type")
    if kind == "m.room.member":
        keys = {"membership"}
        if v >= 9:
            keys.add("join_authorised_via_users_server")
        kept = {k: content[k] for k in keys if k in content}
        if v >= 11 and isinstance(content.get("third_party_invite"), dict) and "signed" in content["third_party_invite"]:
            kept["third_party_invite"] = {"signed": content["third_party_invite"]["signed"]}
    elif kind == "m.room.create":
        kept = dict(content) if v >= 11 else {k: content[k] for k in ("creator",) if k in content}
    elif kind == "m.room.join_rules":
        keys = {"join_rule", "allow"} if v >= 8 else {"join_rule"}
        kept = {k: content[k] for k in keys if k in content}
    elif kind == "m.room.power_levels":
        keys = {"ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"}
        if v >= 11:
            keys.add("invite")
        kept = {k: content[k] for k in keys if k in content}
    elif kind == "m.room.aliases" and v <= 5:
        kept = {k: content[k] for k in ("aliases",) if k in content}
    elif kind == "m.room.redaction" and v >= 11:
        kept = {k: content[k] for k in ("redacts",) if k in content}
    elif kind == "m.room.history_visibility":
        kept = {k: content[k] for k in ("history_visibility",) if k in content}
    else:
        kept = {}
    redacted["content"] = copy.deepcopy(kept)
    return redacted


def unpadded_b64(data, urlsafe):
    encoded = base64.urlsafe_b64encode(data) if urlsafe else base64.b64encode(data)
    return encoded.decode("ascii").rstrip("=")


def content_hash(event):
    stripped = {k: v for k, v in event.items() if k not in ("unsigned", "signatures", "hashes")}
    return unpadded_b64(hashlib.sha256(encode_canonical_json(stripped)).digest(), urlsafe=False)


def reference_event_id(event, room_version):
    stripped = {k: v for k, v in redact(event, room_version).items() if k not in ("unsigned", "signatures", "age_ts")}
    digest = hashlib.sha256(encode_canonical_json(stripped)).digest()
    return "$" + unpadded_b64(digest, urlsafe=version_number(room_version) >= 4)


def check(entry, doc, verify_key):
    pdu = entry["pdu"]
    result = {"event_id": entry["event_id"], "signature_ok": False, "content_hash_ok": False, "event_id_ok": False, "error": None}
    try:
        verify_signed_json(redact(pdu, doc["room_version"]), doc["server_name"], verify_key)
        result["signature_ok"] = True
    except SignatureVerifyException as e:
        result["error"] = str(e)
    result["content_hash_ok"] = pdu.get("hashes", {}).get("sha256") == content_hash(pdu)
    if version_number(doc["room_version"]) <= 2:
        result["event_id_ok"] = pdu.get("event_id") == entry["event_id"]
    else:
        result["event_id_ok"] = "event_id" not in pdu and reference_event_id(pdu, doc["room_version"]) == entry["event_id"]
    return result


def main():
    doc = json.load(sys.stdin)
    key_bytes = base64.b64decode(doc["public_key"] + "=" * (-len(doc["public_key"]) % 4))
    verify_key = decode_verify_key_bytes(doc["key_id"], key_bytes)
    json.dump([check(entry, doc, verify_key) for entry in doc["events"]], sys.stdout)


if __name__ == "__main__":
    main()
